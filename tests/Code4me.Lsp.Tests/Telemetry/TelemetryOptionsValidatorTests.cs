using Code4me.Lsp.Core.Telemetry;

namespace Code4me.Lsp.Tests.Telemetry;

public sealed class TelemetryOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() =>
        Assert.True(new TelemetryOptionsValidator().Validate(null, new TelemetryOptions()).Succeeded);

    [Theory]
    [InlineData(99)]
    [InlineData(600_001)]
    public void IdleTriggerMs_OutOfRange_IsRefusedNamingTheSettingAndItsValue(int value)
    {
        var result = new TelemetryOptionsValidator().Validate(null, new TelemetryOptions { IdleTriggerMs = value });

        Assert.False(result.Succeeded);
        Assert.Equal($"Code4me:Telemetry:IdleTriggerMs must be between 100 and 600000 ms; it is {value}.", Assert.Single(result.Failures!));
    }
}
