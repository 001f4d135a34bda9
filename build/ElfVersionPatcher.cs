#nullable enable
// Makes libLibTorchSharp.so from TorchSharp 0.107.0 load on glibc systems whose libstdc++ predates GCC 13.
//
// The binding asks for GLIBCXX_3.4.32 for exactly one symbol (std::ios_base_library_init, a marker
// with no relocations). Setting VER_FLG_WEAK on that version requirement in .gnu.version_r lets the
// loader accept an older libstdc++ (see docs/torchsharp-native.md). This file is compiled twice: into
// the MSBuild inline task of build/TorchSharpNative.targets and into the test project (which defines
// SOSEG_TESTS, so it needs no MSBuild reference).
using System;
using System.IO;
using System.Text;
#if !SOSEG_TESTS
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace SoSeg.Build
{
    public static class ElfVersionPatcher
    {
        public const string Library = "libstdc++.so.6";
        public const string Version = "GLIBCXX_3.4.32";
        const uint ShtGnuVerneed = 0x6ffffffe;
        const ushort VerFlagWeak = 0x2;

        /// <summary>Outcome of <see cref="Patch"/>.</summary>
        public enum Result { Patched, AlreadyPatched, NotRequired }

        /// <summary>Sets VER_FLG_WEAK on the GLIBCXX_3.4.32 requirement. Idempotent; writes only when a byte changes.</summary>
        public static Result Patch(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            int flagsOffset = FindFlagsOffset(elf, path);
            if (flagsOffset < 0) return Result.NotRequired;
            ushort flags = BitConverter.ToUInt16(elf, flagsOffset);
            if ((flags & VerFlagWeak) != 0) return Result.AlreadyPatched;
            flags |= VerFlagWeak;
            elf[flagsOffset] = (byte)(flags & 0xff);
            elf[flagsOffset + 1] = (byte)(flags >> 8);
            string temp = path + ".patching";
            File.WriteAllBytes(temp, elf);
            // An atomic rename over the original (File.Move's overwrite overload is not in the task's netstandard).
            File.Replace(temp, path, null);
            return Result.Patched;
        }

        /// <summary>True when the requirement is present and already weak.</summary>
        public static bool IsWeak(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            int offset = FindFlagsOffset(elf, path);
            return offset >= 0 && (BitConverter.ToUInt16(elf, offset) & VerFlagWeak) != 0;
        }

        /// <summary>True when a shared library defines the given version (its version-definition strings contain it).</summary>
        public static bool LibraryProvidesVersion(string libraryPath, string version)
        {
            byte[] bytes = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            for (int i = 0; i + needle.Length <= bytes.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && bytes[i + j] == needle[j]) j++;
                // Require a NUL before the match too, so GLIBCXX_3.4.32 does not match GLIBCXX_3.4.320.
                if (j == needle.Length && i > 0 && bytes[i - 1] == 0) return true;
            }
            return false;
        }

        /// <summary>The system libstdc++ the dynamic loader would pick, or null when none of the usual places has one.</summary>
        public static string? FindSystemLibStdCxx()
        {
            string[] candidates =
            {
                "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
                "/usr/lib64/libstdc++.so.6", "/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
            };
            foreach (var candidate in candidates)
                if (File.Exists(candidate)) return candidate;
            return null;
        }

        /// <summary>Byte offset of vna_flags of the GLIBCXX_3.4.32 entry, or -1 when the file does not require it.</summary>
        static int FindFlagsOffset(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(path + " is not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(path + " is not a 64-bit little-endian ELF file.");
            long shoff = BitConverter.ToInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            for (int s = 0; s < shnum; s++)
            {
                int sh = checked((int)(shoff + (long)s * shentsize));
                if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;
                int verneed = checked((int)BitConverter.ToInt64(elf, sh + 0x18));
                int link = (int)BitConverter.ToUInt32(elf, sh + 0x28);
                int strSection = checked((int)(shoff + (long)link * shentsize));
                int strtab = checked((int)BitConverter.ToInt64(elf, strSection + 0x18));
                int entry = verneed;
                while (true)
                {
                    int count = BitConverter.ToUInt16(elf, entry + 2);
                    string file = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, entry + 4));
                    int aux = entry + (int)BitConverter.ToUInt32(elf, entry + 8);
                    for (int a = 0; a < count; a++)
                    {
                        string name = ReadString(elf, strtab + (int)BitConverter.ToUInt32(elf, aux + 8));
                        if (file == Library && name == Version) return aux + 4;
                        uint nextAux = BitConverter.ToUInt32(elf, aux + 12);
                        if (nextAux == 0) break;
                        aux += (int)nextAux;
                    }
                    uint next = BitConverter.ToUInt32(elf, entry + 12);
                    if (next == 0) break;
                    entry += (int)next;
                }
            }
            return -1;
        }

        static string ReadString(byte[] bytes, int offset)
        {
            int end = offset;
            while (end < bytes.Length && bytes[end] != 0) end++;
            return Encoding.ASCII.GetString(bytes, offset, end - offset);
        }
    }
}

#if !SOSEG_TESTS

public class PatchLibTorchSharp : Task
{
    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        string? system = SoSeg.Build.ElfVersionPatcher.FindSystemLibStdCxx();
        if (system != null && SoSeg.Build.ElfVersionPatcher.LibraryProvidesVersion(system, SoSeg.Build.ElfVersionPatcher.Version))
        {
            Log.LogMessage(MessageImportance.Low, "{0} provides {1}; libLibTorchSharp.so needs no patch.", system, SoSeg.Build.ElfVersionPatcher.Version);
            return true;
        }
        foreach (var item in Files)
        {
            string path = item.ItemSpec;
            try
            {
                var result = SoSeg.Build.ElfVersionPatcher.Patch(path);
                Log.LogMessage(result == SoSeg.Build.ElfVersionPatcher.Result.Patched ? MessageImportance.Normal : MessageImportance.Low,
                    "libLibTorchSharp.so native fix: {0} ({1})", result, path);
            }
            catch (Exception e)
            {
                Log.LogError("Could not patch {0} for this system's libstdc++: {1}", path, e.Message);
                return false;
            }
        }
        return true;
    }
}
#endif
