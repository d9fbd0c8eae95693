namespace AiCostGuard;

/// <summary>Cholesky factorization of a small symmetric positive-definite matrix, in place (lower triangle).</summary>
internal static class Cholesky
{
    private const int K = StartingRates.FeatureCount;

    public static bool Factor(Span<double> a)
    {
        for (int j = 0; j < K; j++)
        {
            double diagonal = a[(j * K) + j];
            for (int k = 0; k < j; k++)
            {
                diagonal -= a[(j * K) + k] * a[(j * K) + k];
            }

            if (!(diagonal > 0))
            {
                return false;
            }

            double root = Math.Sqrt(diagonal);
            a[(j * K) + j] = root;
            for (int i = j + 1; i < K; i++)
            {
                double sum = a[(i * K) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= a[(i * K) + k] * a[(j * K) + k];
                }

                a[(i * K) + j] = sum / root;
            }
        }

        return true;
    }

    public static void Solve(ReadOnlySpan<double> l, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < K; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[(i * K) + k] * x[k];
            }

            x[i] = sum / l[(i * K) + i];
        }

        for (int i = K - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < K; k++)
            {
                sum -= l[(k * K) + i] * x[k];
            }

            x[i] = sum / l[(i * K) + i];
        }
    }
}
