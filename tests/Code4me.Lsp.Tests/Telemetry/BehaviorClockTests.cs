using Code4me.Lsp.Core.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class BehaviorClockTests
{
    [Fact]
    public void Milliseconds_NeverShownOrAccepted_AreNull()
    {
        var clock = new BehaviorClock(new FakeTimeProvider(TelemetryHarness.Epoch));
        Assert.Null(clock.MillisecondsSinceLastShown);
        Assert.Null(clock.MillisecondsSinceLastAccepted);
    }

    [Fact]
    public void Milliseconds_AfterMarks_AreWholeMillisecondsSinceTheLatestMark()
    {
        var time = new FakeTimeProvider(TelemetryHarness.Epoch);
        var clock = new BehaviorClock(time);
        clock.MarkShown();
        time.Advance(TimeSpan.FromMilliseconds(700));
        clock.MarkShown();
        time.Advance(TimeSpan.FromMilliseconds(300));
        clock.MarkAccepted();
        time.Advance(TimeSpan.FromTicks(12_345_678));   // 1234.5678 ms

        Assert.Equal(1534, clock.MillisecondsSinceLastShown);
        Assert.Equal(1234, clock.MillisecondsSinceLastAccepted);
    }
}
