using SoSeg.Training;

namespace SoSeg.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Warm_up_rises_linearly_then_cosine_falls_to_the_minimum()
    {
        // 10 warm-up steps then 91 decay steps (steps 10..100), from 5e-5 to 1e-6.
        var schedule = new LearningRateSchedule(5e-5, 1e-6, TotalSteps: 101, WarmupSteps: 10);
        Assert.Equal(1e-6 + (5e-5 - 1e-6) * 1 / 10, schedule.At(0), 12);
        Assert.Equal(5e-5, schedule.At(9), 12);
        Assert.Equal(5e-5, schedule.At(10), 12);            // cosine starts at the peak
        Assert.Equal((5e-5 + 1e-6) / 2, schedule.At(55), 12); // half way: cos(pi/2) = 0
        Assert.Equal(1e-6, schedule.At(100), 12);            // last step: the minimum
        Assert.Equal(1e-6, schedule.At(500), 12);            // clamped past the end
        for (long s = 11; s <= 100; s++) Assert.True(schedule.At(s) <= schedule.At(s - 1));
    }

    [Fact]
    public void Without_warm_up_the_first_step_uses_the_peak()
    {
        var schedule = new LearningRateSchedule(1e-3, 0, TotalSteps: 5, WarmupSteps: 0);
        Assert.Equal(1e-3, schedule.At(0), 12);
        Assert.Equal(0, schedule.At(4), 12);
    }
}
