using SoSeg.Tests.TestData;
using SoSeg.Models;
using SoSeg.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using SoSeg.Models.Catalog;

namespace SoSeg.Tests.Models.SoSegFormer;

public class SoSegFormerOverfitTests
{
    /// <summary>
    /// sosegformer-s learns one 64 x 64 synthetic image with one small bright disk (113 pixels, 2.8% of
    /// the image, in noise): the loss falls well below its start and, in eval mode, the predicted
    /// foreground overlaps the disk (IoU over 0.5). Batch of two (the image and its mirror), because the
    /// ASPP image-pooling branch normalises a 1 x 1 map in training.
    /// </summary>
    [Fact]
    public void Small_variant_overfits_one_image_and_finds_the_small_object()
    {
        var device = TorchRuntime.Resolve(DeviceSpec.Cpu);
        using var random = new Generator(3);
        using var model = Seeded.Build(3, () => ModelRegistry.Create("sosegformer-s", 3, 2));
        using var scope = NewDisposeScope();

        const int size = 64;
        var rows = arange(size).view(-1, 1);
        var columns = arange(size).view(1, -1);
        var disk = ((rows - 40).pow(2) + (columns - 22).pow(2)).le(36);
        var image = 0.3f + 0.05f * randn([3, size, size], generator: random);
        image = where(disk.unsqueeze(0), image + 0.5f, image);
        var images = stack([image, image.flip(2)]);
        var masks = stack([disk, disk.flip(1)]);
        var targets = masks.to(ScalarType.Int64);

        using var optimizer = optim.AdamW(model.parameters(), lr: 5e-3, weight_decay: 0);
        float first = float.NaN, last = float.NaN;
        double iou = 0;
        for (int step = 1; step <= 80; step++)
        {
            using (NewDisposeScope())
            {
                model.train();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(images), targets);
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
                if (step == 1) first = last;
            }
            if (step % 5 != 0) continue;
            iou = EvalIoU(model, images, masks);
            if (iou > 0.5 && last < 0.1 * first) break;
        }
        Assert.True(last < 0.1 * first, $"loss went from {first:0.0000} to {last:0.0000} only");
        Assert.True(iou > 0.5, $"eval-mode IoU with the object is {iou:0.000}");
    }

    static double EvalIoU(SegmentationModel model, Tensor images, Tensor masks)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var predicted = model.call(images).argmax(1).to(ScalarType.Bool);
        long intersection = predicted.logical_and(masks).sum().item<long>();
        long union = predicted.logical_or(masks).sum().item<long>();
        return union == 0 ? 0 : (double)intersection / union;
    }
}
