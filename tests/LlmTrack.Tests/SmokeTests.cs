namespace LlmTrack.Tests;

public class SmokeTests
{
    [Fact]
    public void ExceptionCarriesErrorCode()
    {
        var ex = new MlflowException(MlflowErrorCode.InvalidParameterValue, "bad", 400);
        Assert.Equal("INVALID_PARAMETER_VALUE", ex.ErrorCode);
        Assert.Equal(400, ex.StatusCode);
    }
}
