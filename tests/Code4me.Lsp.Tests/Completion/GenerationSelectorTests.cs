using Code4me.Lsp.Core.Completion;

namespace Code4me.Lsp.Tests.Completion;

public class GenerationSelectorTests
{
    private static ModelGeneration G(string model, string text, double confidence, string? error = null, bool late = false)
        => new() { ModelName = model, Completion = text, Confidence = confidence, Error = error, Late = late };

    [Theory]
    [InlineData(SelectionPolicy.FirstToAnswer, "b")]
    [InlineData(SelectionPolicy.HighestConfidence, "c")]
    public void Choose_ByPolicy(SelectionPolicy policy, string expectedModel)
    {
        ModelGeneration[] generations = [G("a", "", 0.99, "http 500"), G("b", "x", 0.2), G("c", "y", 0.7), G("d", "z", 0.9, late: true)];

        Assert.Equal(expectedModel, GenerationSelector.Choose(generations, policy, ["a", "b", "c", "d"], "user")!.ModelName);
    }

    [Fact]
    public void Choose_AbTest_ShowsOnlyTheAssignedModel()
    {
        string[] models = ["a", "b"];
        var users = Enumerable.Range(0, 200).Select(i => $"user-{i}").ToArray();
        var assigned = users.Select(u => GenerationSelector.AssignedModel(models, u)).ToArray();

        Assert.Equal(assigned, users.Select(u => GenerationSelector.AssignedModel(models, u)));   // stable
        Assert.InRange(assigned.Count(m => m == "a"), 60, 140);                                 // split
        var user = users.First(u => GenerationSelector.AssignedModel(models, u) == "b");
        Assert.Equal("b", GenerationSelector.Choose([G("a", "x", 0.9), G("b", "y", 0.1)], SelectionPolicy.AbTest, models, user)!.ModelName);
        Assert.Null(GenerationSelector.Choose([G("a", "x", 0.9), G("b", "", 0, "timeout")], SelectionPolicy.AbTest, models, user));
    }

    [Theory]
    [InlineData(new[] { -0.5, -0.5 }, 0.6065306597)]
    [InlineData(new[] { 0.0 }, 1.0)]
    [InlineData(new double[0], 0.0)]
    public void ConfidenceOf_IsTheGeometricMeanProbability(double[] logprobs, double expected)
        => Assert.Equal(expected, ModelGeneration.ConfidenceOf(logprobs), 9);
}
