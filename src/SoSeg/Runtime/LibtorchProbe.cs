using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SoSeg.Runtime;

/// <summary>
/// Checks, before TorchSharp loads anything, that an external (CUDA) libtorch loads with all its
/// dependencies. Without this, a missing CUDA runtime library (say libcudart.so.13) makes TorchSharp
/// fall back to other libtorch copies and end in an unexplained type-initialisation error.
/// </summary>
public static partial class LibtorchProbe
{
    /// <summary>Loads libtorch_cuda.so (or libtorch_cpu.so when there is none) from <paramref name="folder"/>; throws a <see cref="DeviceUnavailableException"/> naming what is missing.</summary>
    public static void EnsureLoadable(string folder)
    {
        string library = Path.Combine(folder, "libtorch_cuda.so");
        if (!File.Exists(library)) library = Path.Combine(folder, "libtorch_cpu.so");
        if (!File.Exists(library))
            throw new DeviceUnavailableException($"{folder}: holds neither libtorch_cuda.so nor libtorch_cpu.so; set {LibtorchLocator.EnvironmentVariable} to a PyTorch install's torch/lib folder.");
        try { NativeLibrary.Load(library); }
        catch (DllNotFoundException e) { throw new DeviceUnavailableException(Explain(library, e.Message)); }
        catch (BadImageFormatException e) { throw new DeviceUnavailableException($"{library}: not a loadable library for this machine ({e.Message})."); }
    }

    /// <summary>The one-line message for a failed load: the library that is missing, when the loader named one.</summary>
    public static string Explain(string library, string loaderMessage)
    {
        var missing = MissingLibrary().Match(loaderMessage);
        return missing.Success
            ? $"{library} cannot be loaded: it needs {missing.Groups[1].Value}, which is not on this machine's library path. " +
              "Install the CUDA runtime that this PyTorch build was made for (for a pip install: its nvidia-* packages), " +
              "or add the folder holding that library to LD_LIBRARY_PATH."
            : $"{library} cannot be loaded: {LoaderReason(loaderMessage)}";
    }

    /// <summary>
    /// The dynamic loader's own words (".../libtorch_cuda.so: file too short") when .NET's message carries them
    /// after its generic first line; else that first line.
    /// </summary>
    static string LoaderReason(string loaderMessage)
    {
        var lines = loaderMessage.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.FirstOrDefault(l => l.StartsWith('/') && l.Contains(".so") && l.Contains(": ")) ?? lines.FirstOrDefault() ?? loaderMessage;
    }

    [GeneratedRegex(@"([\w.+-]+\.so(?:\.[\d.]+)?): cannot open shared object file")]
    private static partial Regex MissingLibrary();
}
