namespace LlmTrack.Metrics.Validation;

/// <summary>Argument checks shared by metrics that take two parallel inputs (labels, texts and scores, predictions and references).</summary>
internal static class PairedInputs
{
    /// <summary>Throws unless both inputs have the same length; the exception names the second input.</summary>
    /// <param name="firstLength">Length of the first input.</param>
    /// <param name="secondLength">Length of the second input.</param>
    /// <param name="firstName">Parameter name of the first input.</param>
    /// <param name="secondName">Parameter name of the second input.</param>
    /// <param name="unit">What the inputs hold, for the message ("labels", "items").</param>
    public static void RequireSameLength(int firstLength, int secondLength, string firstName, string secondName, string unit)
    {
        if (firstLength != secondLength)
        {
            throw new ArgumentException(
                $"{firstName} and {secondName} must have the same length, but {firstName} has {firstLength} and {secondName} has {secondLength} {unit}.",
                secondName);
        }
    }

    /// <summary>Throws unless both inputs have the same length and are not empty (scikit-learn's checks on <c>y_true</c>/<c>y_pred</c>).</summary>
    /// <param name="firstLength">Length of the first input.</param>
    /// <param name="secondLength">Length of the second input.</param>
    /// <param name="firstName">Parameter name of the first input.</param>
    /// <param name="secondName">Parameter name of the second input.</param>
    public static void RequireSameNonEmptyLabels(int firstLength, int secondLength, string firstName = "yTrue", string secondName = "yPred")
    {
        RequireSameLength(firstLength, secondLength, firstName, secondName, "labels");
        if (firstLength == 0)
        {
            throw new ArgumentException($"{firstName} and {secondName} must not be empty.", firstName);
        }
    }
}
