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
