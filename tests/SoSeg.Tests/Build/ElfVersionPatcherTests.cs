using SoSeg.Build;

namespace SoSeg.Tests.Build;

public class ElfVersionPatcherTests
{
    static string OriginalBinding()
    {
        // The unpatched file, as NuGet restored it (read only; the test works on a copy).
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [Fact]
    public void Patch_sets_the_weak_flag_once_and_changes_nothing_else()
    {
        string original = OriginalBinding();
        Assert.True(File.Exists(original), $"restored TorchSharp binding not found at {original}");
        string copy = Path.Combine(Path.GetTempPath(), $"soseg-elf-{Guid.NewGuid():N}.so");
        File.Copy(original, copy);
        try
        {
            Assert.False(ElfVersionPatcher.IsWeak(copy));
            Assert.Equal(ElfVersionPatcher.Result.Patched, ElfVersionPatcher.Patch(copy));
            Assert.True(ElfVersionPatcher.IsWeak(copy));
            Assert.Equal(ElfVersionPatcher.Result.AlreadyPatched, ElfVersionPatcher.Patch(copy));

            byte[] before = File.ReadAllBytes(original), after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            int changed = before.Zip(after).Count(pair => pair.First != pair.Second);
            Assert.Equal(1, changed);
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void Build_output_binding_is_patched_where_the_system_libstdcxx_is_older()
    {
        string? system = ElfVersionPatcher.FindSystemLibStdCxx();
        Assert.NotNull(system);
        string output = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        bool systemHasVersion = ElfVersionPatcher.LibraryProvidesVersion(system!, ElfVersionPatcher.Version);
        // Patched exactly when needed: left alone where libstdc++ already has GLIBCXX_3.4.32.
        Assert.Equal(!systemHasVersion, ElfVersionPatcher.IsWeak(output));
        Assert.False(ElfVersionPatcher.IsWeak(OriginalBinding()), "the NuGet cache must stay untouched");
    }

    [Fact]
    public void Version_lookup_needs_an_exact_name()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [0, .. "GLIBCXX_3.4.320"u8, 0, .. "GLIBCXX_3.4.31"u8, 0]);
            Assert.False(ElfVersionPatcher.LibraryProvidesVersion(file, "GLIBCXX_3.4.32"));
            Assert.True(ElfVersionPatcher.LibraryProvidesVersion(file, "GLIBCXX_3.4.31"));
        }
        finally { File.Delete(file); }
    }

    [Fact]
    public void Non_elf_input_is_rejected_with_the_file_name()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "not an elf file at all, padded to more than sixty-four bytes.............");
            var error = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Patch(file));
            Assert.Contains(file, error.Message);
        }
        finally { File.Delete(file); }
    }
}
