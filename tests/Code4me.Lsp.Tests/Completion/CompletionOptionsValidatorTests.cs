using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Tests.Completion;

public sealed class CompletionOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid() =>
        Assert.True(new CompletionOptionsValidator().Validate(null, new CompletionOptions()).Succeeded);

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void MinConfidence_OutOfRange_IsRefusedNamingTheSettingAndItsValue(double value)
    {
        var result = new CompletionOptionsValidator().Validate(null, new CompletionOptions { Offline = new OfflineModelOptions { MinConfidence = value } });

        Assert.False(result.Succeeded);
        Assert.StartsWith("Code4me:Completion:Offline:MinConfidence must be at least 0 and below 1; it is ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
