// Segments one image with an ONNX file written by `soseg export`, with nothing but ONNX Runtime: the
// file's metadata says how many channels the network takes, how to scale the pixels, and which mask value
// each class gets. The graph pads any image size itself, so the whole image goes through in one run.
//
//   dotnet run --project samples/OnnxSegment -- model.onnx image.png mask.png
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SkiaSharp;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: OnnxSegment MODEL.onnx IMAGE.png MASK.png");
    return 2;
}
string modelPath = args[0], imagePath = args[1], maskPath = args[2];

using var session = new InferenceSession(modelPath);
var metadata = session.ModelMetadata.CustomMetadataMap;
string Meta(string key) => metadata.TryGetValue(key, out var value)
    ? value : throw new InvalidDataException($"{modelPath}: no '{key}' metadata; export the model with `soseg export`.");

int channels = int.Parse(Meta("soseg.in_channels"));
string[] classNames = JsonSerializer.Deserialize<string[]>(Meta("soseg.class_names"))!;
int[] labelValues = JsonSerializer.Deserialize<int[]>(Meta("soseg.label_values"))!;
double divideBy;
using (var normalisation = JsonDocument.Parse(Meta("soseg.normalisation")))
    divideBy = normalisation.RootElement.GetProperty("images").GetProperty("divide_by").GetDouble();

// Decode as the model was trained: grey images as one channel, colour images as R, G, B.
using var codec = SKCodec.Create(imagePath) ?? throw new InvalidDataException($"{imagePath}: not an image SkiaSharp can read.");
int width = codec.Info.Width, height = codec.Info.Height, pixels = width * height;
var colorType = channels == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888;
using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, SKAlphaType.Unpremul));
if (codec.GetPixels(bitmap.Info, bitmap.GetPixels()) is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
    throw new InvalidDataException($"{imagePath}: cannot decode.");
byte[] bytes = bitmap.Bytes;
int stride = channels == 1 ? 1 : 4;
var input = new float[channels * pixels];
for (int c = 0; c < channels; c++)
    for (int i = 0; i < pixels; i++)
        input[c * pixels + i] = (float)(bytes[i * stride + c] / divideBy);

using var tensor = OrtValue.CreateTensorValueFromMemory(input, [1, channels, height, width]);
using var outputs = session.Run(new RunOptions(), new Dictionary<string, OrtValue> { ["image"] = tensor }, ["logits"]);
var logits = outputs[0].GetTensorDataAsSpan<float>();
int classes = (int)outputs[0].GetTensorTypeAndShape().Shape[1];

// Argmax over classes, mapped to the dataset's mask values.
var mask = new byte[pixels];
var counts = new int[classes];
for (int i = 0; i < pixels; i++)
{
    int best = 0;
    for (int k = 1; k < classes; k++)
        if (logits[k * pixels + i] > logits[best * pixels + i]) best = k;
    mask[i] = (byte)labelValues[best];
    counts[best]++;
}
using (var maskBitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque)))
{
    System.Runtime.InteropServices.Marshal.Copy(mask, 0, maskBitmap.GetPixels(), pixels);
    using var data = maskBitmap.Encode(SKEncodedImageFormat.Png, 100);
    using var file = File.Create(maskPath);
    data.SaveTo(file);
}

Console.WriteLine($"{Meta("soseg.model")} ({Path.GetFileName(modelPath)}): {imagePath} {width}x{height}, {channels} channel(s) / {divideBy} -> {maskPath}");
for (int k = 0; k < classes; k++)
    Console.WriteLine($"  {classNames[k]} (mask value {labelValues[k]}): {counts[k]} pixels");
return 0;
