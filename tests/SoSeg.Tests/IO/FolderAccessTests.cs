using SoSeg.IO;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.IO;

public class FolderAccessTests
{
    [Fact]
    public void A_writable_folder_and_a_folder_yet_to_be_made_inside_it_are_writable()
    {
        using var temp = new TempFolder();
        Assert.True(FolderAccess.IsWritable(temp.Path));
        Assert.True(FolderAccess.IsWritable(Path.Combine(temp.Path, "not", "yet")));
    }

    [Fact]
    public void A_read_only_file_system_is_not_writable_even_for_root()
    {
        // /proc/self is owned by this process but cannot hold new files, for root too.
        if (!Directory.Exists("/proc/self")) return;
        Assert.False(FolderAccess.IsWritable("/proc/self"));
    }
}
