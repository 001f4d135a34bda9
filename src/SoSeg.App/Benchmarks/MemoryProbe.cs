using SoSeg.Runtime;
using SoSeg.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SoSeg.App.Benchmarks;

/// <summary>A peak-memory figure with what it measures, since CPU and GPU figures mean different things.</summary>
/// <param name="Bytes">The figure.</param>
/// <param name="Source">What it is, e.g. "process RSS high-water mark (VmHWM)".</param>
public sealed record MemoryFigure(long Bytes, string Source);

/// <summary>
/// Peak memory of one benchmark phase. On CPU: the process's resident-set high-water mark (VmHWM in
/// /proc/self/status), reset before the phase by writing 5 to /proc/self/clear_refs. On CUDA, where
/// TorchSharp 0.107 exposes no allocator statistics: the largest device memory in use that NVML reports
/// after any step, for the whole GPU (CUDA context, libtorch's cached blocks, other processes).
/// </summary>
public sealed class MemoryProbe
{
    readonly Device _device;
    bool _resetWorked;
    long _gpuPeak;

    public MemoryProbe(Device device) => _device = device;

    /// <summary>Starts a phase: resets the high-water mark (CPU) or the sampled maximum (CUDA).</summary>
    public void StartPhase()
    {
        _gpuPeak = 0;
        if (_device.type == DeviceType.CUDA) return;
        _resetWorked = ProcessMemory.ResetPeak();
    }

    /// <summary>Call after each step: samples NVML on CUDA (the CPU high-water mark needs no sampling).</summary>
    public void Sample()
    {
        if (_device.type != DeviceType.CUDA) return;
        var gpu = GpuInfo.ForCudaDevice(_device.index);
        if (gpu is not null) _gpuPeak = Math.Max(_gpuPeak, gpu.TotalBytes - gpu.FreeBytes);
    }

    /// <summary>The phase's peak, or null when this platform offers no figure.</summary>
    public MemoryFigure? Peak()
    {
        if (_device.type == DeviceType.CUDA)
            return _gpuPeak > 0
                ? new MemoryFigure(_gpuPeak, "GPU memory in use, whole device (NVML, largest after any step; includes the CUDA context and libtorch's cache)")
                : null;
        long? hwm = ProcessMemory.StatusKilobytes("VmHWM");
        if (hwm is null) return null;
        return new MemoryFigure(hwm.Value * 1024, _resetWorked
            ? "process RSS high-water mark (VmHWM, reset before the phase)"
            : "process RSS high-water mark since start (VmHWM; /proc/self/clear_refs could not reset it)");
    }
}
