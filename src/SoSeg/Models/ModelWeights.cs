using SoSeg.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace SoSeg.Models;

/// <summary>File formats model weights are saved in.</summary>
public enum WeightFormat
{
    /// <summary>TorchSharp's own format (<c>Module.save</c>); any extension but .safetensors, conventionally .bin.</summary>
    TorchSharp,

    /// <summary>safetensors (Hugging Face), readable from Python with <c>safetensors.torch.load_file</c>.</summary>
    Safetensors,
}

/// <summary>
/// Saves and loads a model's parameters and buffers (its state dict). The format follows the file
/// extension (.safetensors or TorchSharp's format); files are written atomically; loading checks every
/// key and shape first and names the file and each mismatch, and leaves the model untouched on error.
/// </summary>
public static class ModelWeights
{
    /// <summary>The extension of safetensors files.</summary>
    public const string SafetensorsExtension = ".safetensors";

    /// <summary>The format a path stands for: .safetensors, else TorchSharp's (PyTorch pickles .pt/.pth are refused).</summary>
    public static WeightFormat FormatOf(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == SafetensorsExtension) return WeightFormat.Safetensors;
        if (extension is ".pt" or ".pth")
            throw new SoSegException($"{path}: {extension} is PyTorch's pickle format, which SoSeg does not write or read; " +
                                     $"use {SafetensorsExtension} (portable) or .bin (TorchSharp's format).");
        return WeightFormat.TorchSharp;
    }

    /// <summary>Writes the model's state dict to <paramref name="path"/> atomically, in the format its extension names.</summary>
    public static void Save(nn.Module model, string path)
    {
        var format = FormatOf(path);
        AtomicFile.WriteVia(path, temp =>
        {
            if (format == WeightFormat.Safetensors) model.save_safetensors(temp);
            else model.save(temp);
        });
    }

    /// <summary>
    /// Loads weights saved by <see cref="Save"/> (or any TorchSharp/safetensors state dict with the same keys)
    /// into <paramref name="model"/>, converting dtype and device to the model's. Throws a
    /// <see cref="SoSegException"/> naming the file and the missing, unexpected or mis-shaped keys.
    /// </summary>
    public static void Load(nn.Module model, string path)
    {
        if (!File.Exists(path)) throw new SoSegException($"{path}: no such weights file.");
        var format = FormatOf(path);
        Dictionary<string, Tensor> stored;
        try
        {
            stored = format == WeightFormat.Safetensors ? Safetensors.LoadStateDict(path) : ReadTorchSharp(path);
        }
        catch (Exception e) when (e is not SoSegException and not OutOfMemoryException)
        {
            throw new SoSegException($"{path}: cannot read it as {Describe(format)} weights ({e.Message}).", e);
        }
        try
        {
            var expected = model.state_dict();
            CheckMatches(path, expected, stored);
            using (torch.no_grad())
                foreach (var (key, target) in expected)
                    target.copy_(stored[key]);
        }
        finally
        {
            foreach (var tensor in stored.Values) tensor.Dispose();
        }
    }

    /// <summary>Reads a TorchSharp-format file into a key -> tensor dictionary (the count, then key and tensor per entry).</summary>
    static Dictionary<string, Tensor> ReadTorchSharp(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        long count = ReadLeb128(reader);
        var result = new Dictionary<string, Tensor>((int)Math.Min(count, 1 << 16));
        for (long i = 0; i < count; i++)
        {
            string key = reader.ReadString();
            result[key] = TensorExtensionMethods.Load(reader);
        }
        if (stream.Position != stream.Length)
            throw new InvalidDataException($"{stream.Length - stream.Position} bytes follow the last of {count} tensors");
        return result;
    }

    /// <summary>Unsigned LEB128, as TorchSharp writes the entry count.</summary>
    static long ReadLeb128(BinaryReader reader)
    {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            byte b = reader.ReadByte();
            value |= (long)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw new InvalidDataException("the entry count is malformed");
    }

    static void CheckMatches(string path, Dictionary<string, Tensor> expected, Dictionary<string, Tensor> stored)
    {
        var missing = expected.Keys.Where(k => !stored.ContainsKey(k)).ToList();
        var unexpected = stored.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var misShaped = expected.Where(kv => stored.TryGetValue(kv.Key, out var s) && !s.shape.SequenceEqual(kv.Value.shape))
            .Select(kv => $"{kv.Key} (file {Shape(stored[kv.Key])}, model {Shape(kv.Value)})").ToList();
        if (missing.Count == 0 && unexpected.Count == 0 && misShaped.Count == 0) return;

        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"{missing.Count} missing key(s): {List(missing)}");
        if (unexpected.Count > 0) problems.Add($"{unexpected.Count} unexpected key(s): {List(unexpected)}");
        if (misShaped.Count > 0) problems.Add($"{misShaped.Count} shape mismatch(es): {List(misShaped)}");
        throw new SoSegException($"{path}: the weights do not fit this model ({expected.Count} tensors expected, {stored.Count} in the file): " +
                                 string.Join("; ", problems) + ". Was it saved from another model, class count or option set?");
    }

    static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(8)) + (items.Count > 8 ? $", ... ({items.Count - 8} more)" : "");

    static string Shape(Tensor t) => "[" + string.Join(", ", t.shape) + "]";

    static string Describe(WeightFormat format) => format == WeightFormat.Safetensors ? "safetensors" : "TorchSharp-format";
}
