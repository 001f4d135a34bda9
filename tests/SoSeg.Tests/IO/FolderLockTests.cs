using SoSeg.IO;
using SoSeg.Tests.TestData;

namespace SoSeg.Tests.IO;

/// <summary>The lock within one process; across processes and after kill -9: FaultInjectionTests.</summary>
public class FolderLockTests
{
    [Fact]
    public void A_held_folder_is_refused_naming_the_holder_and_is_free_again_after_release()
    {
        using var folder = new TempFolder();
        string run = Path.Combine(folder.Path, "run");
        using (FolderLock.Acquire(run, "soseg train"))
        {
            var error = Assert.Throws<SoSegException>(() => FolderLock.Acquire(run, "soseg train --resume"));
            Assert.StartsWith(run + ": is in use by another SoSeg process (PID " + Environment.ProcessId + ", soseg train", error.Message);
        }
        using (FolderLock.Acquire(run, "soseg train --resume")) { }
        Assert.False(File.Exists(Path.Combine(run, FolderLock.OwnerName)));
    }
}
