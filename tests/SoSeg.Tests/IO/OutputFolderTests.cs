using SoSeg.IO;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.IO;

public class OutputFolderTests
{
    [Fact]
    public void A_new_or_empty_folder_is_created_and_marked_and_a_folder_of_the_same_kind_is_reused()
    {
        using var folder = new TempFolder();
        string report = Path.Combine(folder.Path, "a", "report");
        Assert.Equal(report, OutputFolder.Claim(report, OutputKind.Report, "soseg compare", force: false));
        var marker = OutputFolder.ReadMarker(report);
        Assert.Equal(OutputKind.Report, marker!.Kind);
        Assert.Equal("soseg compare", marker.Command);

        File.WriteAllText(Path.Combine(report, "comparison.md"), "earlier");
        OutputFolder.Check(report, OutputKind.Report, "soseg compare", force: false);

        string empty = Directory.CreateDirectory(Path.Combine(folder.Path, "empty")).FullName;
        OutputFolder.Claim(empty, OutputKind.Run, "soseg train", force: false);
        Assert.Equal(OutputKind.Run, OutputFolder.ReadMarker(empty)!.Kind);
    }

    [Fact]
    public void A_non_empty_folder_without_a_marker_or_of_another_kind_is_refused_by_name_unless_forced()
    {
        using var folder = new TempFolder();
        string user = folder.File("mine/splits.json");
        File.WriteAllText(user, "{}");
        string mine = Path.GetDirectoryName(user)!;
        var error = Assert.Throws<SoSegException>(() => OutputFolder.Claim(mine, OutputKind.Run, "soseg train", force: false));
        Assert.StartsWith(mine + ": the folder is not empty and was not made by SoSeg", error.Message);
        Assert.Contains("--force", SoSeg.Cli.SettingFlags.Describe(error)); // as the command line words it
        Assert.False(File.Exists(Path.Combine(mine, OutputFolder.MarkerName)));
        Assert.Equal("{}", File.ReadAllText(user));

        OutputFolder.Claim(mine, OutputKind.Run, "soseg train", force: true);
        Assert.Equal(OutputKind.Run, OutputFolder.ReadMarker(mine)!.Kind);

        var kind = Assert.Throws<SoSegException>(() => OutputFolder.Check(mine, OutputKind.Predictions, "soseg predict", force: false));
        Assert.Contains("is a SoSeg run folder (made by soseg train), not a prediction folder", kind.Message);

        // A dataset is never replaced without --force, even one SoSeg generated.
        string dataset = folder.File("data/dataset.json");
        OutputFolder.Claim(Path.GetDirectoryName(dataset)!, OutputKind.Dataset, "soseg generate", force: false, reuse: false);
        File.WriteAllText(dataset, "{}");
        Assert.Throws<SoSegException>(() => OutputFolder.Check(Path.GetDirectoryName(dataset)!, OutputKind.Dataset, "soseg generate", force: false, reuse: false));

        string file = folder.File("file.txt");
        File.WriteAllText(file, "x");
        Assert.Contains("is a file", Assert.Throws<SoSegException>(() => OutputFolder.Check(file, OutputKind.Run, "soseg train", force: true)).Message);
    }

    [Fact]
    public void Only_SoSegs_own_bookkeeping_files_leave_a_folder_empty()
    {
        using var folder = new TempFolder();
        string run = Directory.CreateDirectory(Path.Combine(folder.Path, "run")).FullName;
        File.WriteAllText(Path.Combine(run, FolderLock.LockName), "");
        File.WriteAllText(Path.Combine(run, $".config.json.123.{Guid.NewGuid():N}.tmp"), "half");
        OutputFolder.Check(run, OutputKind.Run, "soseg train", force: false);
        File.WriteAllText(Path.Combine(run, ".hidden-notes"), "mine");
        Assert.Throws<SoSegException>(() => OutputFolder.Check(run, OutputKind.Run, "soseg train", force: false));
    }

    [Fact]
    public void An_output_that_is_contains_or_lies_inside_an_input_folder_is_refused_also_through_a_link()
    {
        using var folder = new TempFolder();
        string images = Directory.CreateDirectory(Path.Combine(folder.Path, "images")).FullName;
        File.WriteAllText(Path.Combine(images, "a.png"), "image");
        string link = Path.Combine(folder.Path, "link");
        Directory.CreateSymbolicLink(link, images);

        Assert.Contains("is also an input of soseg predict", Refused(images + "/", images));
        Assert.Contains("is also an input of soseg predict", Refused(link, images));
        Assert.Contains("is inside " + images, Refused(Path.Combine(images, "masks"), images));
        Assert.Contains("is inside " + images, Refused(Path.Combine(link, "masks"), images));
        Assert.Contains("contains " + Path.Combine(images, "a.png"), Refused(folder.Path, Path.Combine(images, "a.png")));
        // A file input only forbids its own folder and those above it, not a new folder beside it.
        OutputFolder.Check(Path.Combine(folder.Path, "masks"), OutputKind.Predictions, "soseg predict", false, [Path.Combine(images, "a.png")]);
        // --force lets the user write next to the inputs on purpose.
        OutputFolder.Check(Path.Combine(images, "masks"), OutputKind.Predictions, "soseg predict", true, [images]);

        string Refused(string output, string input) =>
            Assert.Throws<SoSegException>(() => OutputFolder.Check(output, OutputKind.Predictions, "soseg predict", false, [input])).Message;
    }

    [Fact]
    public void A_file_being_read_is_never_overwritten_even_with_force()
    {
        using var folder = new TempFolder();
        string input = folder.File("images/a.png");
        var error = Assert.Throws<SoSegException>(() =>
            OutputFolder.RefuseOverwritingInputs([Path.Combine(folder.Path, "images", ".", "a.png")], [input], "soseg predict"));
        Assert.StartsWith(input + ": is an input of soseg predict", error.Message);
        OutputFolder.RefuseOverwritingInputs([folder.File("images/a_mask.png")], [input], "soseg predict");
    }
}
