namespace AiCostGuard;

/// <summary>The out-of-sample errors of one model's calls, summed: what <see cref="InputTokenCalibration"/> reports as means.</summary>
internal struct CalibrationErrors
{
    public double Absolute;
    public double ReservedAbsolute;
    public long Covered;
    public double RatioToRaw;
}
