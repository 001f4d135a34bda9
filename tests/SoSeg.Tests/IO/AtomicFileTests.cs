using SoSeg.IO;

namespace SoSeg.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void A_failed_write_leaves_the_old_file_and_no_temporary()
    {
        string folder = Directory.CreateTempSubdirectory("soseg-atomic").FullName;
        string path = Path.Combine(folder, "metrics.json");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() =>
            AtomicFile.Write(path, s => { s.Write("partial"u8); throw new InvalidOperationException("disk full"); }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder));
        AtomicFile.WriteVia(path, temp => File.WriteAllText(temp, "new"));
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder));
        Directory.Delete(folder, true);
    }
}

public class AtomicFileTemporaryTests
{
    [Fact]
    public void Temporaries_of_both_write_paths_are_recognised_and_removed_and_nothing_else()
    {
        using var folder = new SoSeg.Tests.TestData.TempFolder();
        string kept = folder.File(".last.ckpt.notes");
        File.WriteAllText(kept, "mine");
        File.WriteAllText(folder.File("last.ckpt"), "ckpt");
        string[] stale = [folder.File($".last.ckpt.4242.{Guid.NewGuid():N}.tmp"), folder.File($".training-curves.4242.{Guid.NewGuid():N}.tmp.png"),
                          folder.File($".training-curves.{Guid.NewGuid():N}.tmp.png")];
        foreach (var path in stale) File.WriteAllText(path, "half");

        Assert.Equal(stale.Order(), AtomicFile.RemoveStaleTemporaries(folder.Path).Order());
        Assert.Equal(2, Directory.GetFiles(folder.Path).Length);
        Assert.True(File.Exists(kept));
    }

    [Fact]
    public void A_write_the_disk_refuses_names_the_target_and_keeps_its_previous_version()
    {
        using var folder = new SoSeg.Tests.TestData.TempFolder();
        string path = folder.File("metrics.csv");
        AtomicFile.WriteAllText(path, "old");
        var error = Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => throw new IOException("No space left on device")));
        Assert.StartsWith(path + ": could not be written (No space left on device)", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }
}
