using SoSeg.Runtime;

namespace SoSeg.Tests.Runtime;

public class CpuBudgetTests
{
    static byte[] Mask(params int[] cpus)
    {
        var mask = new byte[128];
        foreach (int cpu in cpus) mask[cpu / 8] |= (byte)(1 << (cpu % 8));
        return mask;
    }

    [Fact]
    public void Nothing_known_means_every_logical_processor()
    {
        Assert.Equal(new CpuBudget(16, "logical processors"), CpuBudget.From(null, null, null, 16));
    }

    [Fact]
    public void Affinity_mask_counts_the_pinned_cpus_wherever_they_are()
    {
        // taskset -c 3,9,64 on a 96-CPU machine: three CPUs, one beyond the first 64 bits.
        var budget = CpuBudget.From(null, Mask(3, 9, 64), null, 96);
        Assert.Equal(3, budget.Count);
        Assert.Equal("CPU affinity mask", budget.Source);
    }

    [Theory]
    [InlineData("max 100000", null)]
    [InlineData("200000 100000", 2.0)]
    [InlineData("150000 100000", 1.5)]
    [InlineData("50000 100000\n", 0.5)]
    [InlineData("", null)]
    public void Cgroup_v2_cpu_max_gives_quota_over_period(string content, double? cpus)
    {
        Assert.Equal(cpus, CpuBudget.ParseCpuMax(content));
    }

    [Fact]
    public void Cgroup_v1_quota_of_minus_one_is_unlimited()
    {
        Assert.Null(CpuBudget.ParseCfsQuota("-1\n", "100000\n"));
        Assert.Equal(4.0, CpuBudget.ParseCfsQuota("400000\n", "100000\n"));
    }

    [Theory]
    // A quota of 1.5 CPUs runs one thread unthrottled; a second would be throttled, not run.
    [InlineData(1.5, 1)]
    [InlineData(2.0, 2)]
    // Below one CPU: still one thread.
    [InlineData(0.5, 1)]
    public void Cgroup_quota_rounds_down_to_whole_cpus(double quota, int expected)
    {
        var budget = CpuBudget.From(null, Mask(0, 1, 2, 3, 4, 5, 6, 7), quota, 8);
        Assert.Equal(expected, budget.Count);
        Assert.StartsWith("cgroup CPU quota", budget.Source);
    }

    [Fact]
    public void Slurm_cpus_per_task_wins_over_a_wider_mask_and_quota()
    {
        var budget = CpuBudget.From("4", Mask(Enumerable.Range(0, 32).ToArray()), 16, 64);
        Assert.Equal(new CpuBudget(4, "SLURM_CPUS_PER_TASK"), budget);
    }

    [Fact]
    public void The_smallest_limit_wins_whichever_it_is()
    {
        // Slurm says 8 but the process is pinned to 2 CPUs (or throttled to 3): 8 threads would oversubscribe.
        Assert.Equal(new CpuBudget(2, "CPU affinity mask"), CpuBudget.From("8", Mask(0, 1), 3, 64));
        Assert.Equal(3, CpuBudget.From("8", Mask(0, 1, 2, 3, 4, 5), 3.7, 64).Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-2")]
    public void A_malformed_slurm_variable_is_ignored(string text)
    {
        Assert.Equal(new CpuBudget(2, "CPU affinity mask"), CpuBudget.From(text, Mask(4, 5), null, 8));
    }

    [Fact]
    public void This_process_gets_at_least_one_cpu_and_no_more_than_the_machine_has()
    {
        Assert.InRange(CpuBudget.Current.Count, 1, Environment.ProcessorCount);
    }
}
