namespace SoSeg.Data.Synthetic;

/// <summary>Small float-plane operations shared by the generators (planes are row-major width x height).</summary>
internal static class Raster
{
    /// <summary>Hermite step from 0 at <paramref name="edge0"/> to 1 at <paramref name="edge1"/> (either order).</summary>
    public static float Smoothstep(float edge0, float edge1, float x)
    {
        float t = Math.Clamp((x - edge0) / (edge1 - edge0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    /// <summary>Separable Gaussian blur in place; edges repeat the border pixel. Sigma below 0.2 does nothing.</summary>
    public static void GaussianBlur(float[] plane, int width, int height, float sigma)
    {
        if (sigma < 0.2f) return;
        int radius = Math.Max(1, (int)MathF.Ceiling(3 * sigma));
        var kernel = new float[2 * radius + 1];
        float sum = 0;
        for (int k = -radius; k <= radius; k++) sum += kernel[k + radius] = MathF.Exp(-k * k / (2 * sigma * sigma));
        for (int k = 0; k < kernel.Length; k++) kernel[k] /= sum;

        var line = new float[width + 2 * radius];
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            for (int x = -radius; x < width + radius; x++) line[x + radius] = plane[row + Math.Clamp(x, 0, width - 1)];
            for (int x = 0; x < width; x++)
            {
                float acc = 0;
                for (int k = 0; k < kernel.Length; k++) acc += kernel[k] * line[x + k];
                plane[row + x] = acc;
            }
        }
        // Vertical pass row by row (cache friendly): each output row sums kernel-weighted source rows.
        var source = (float[])plane.Clone();
        for (int y = 0; y < height; y++)
        {
            int row = y * width;
            Array.Clear(plane, row, width);
            for (int k = 0; k < kernel.Length; k++)
            {
                int sourceRow = Math.Clamp(y + k - radius, 0, height - 1) * width;
                float weight = kernel[k];
                for (int x = 0; x < width; x++) plane[row + x] += weight * source[sourceRow + x];
            }
        }
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Uniform in [min, max).</summary>
    public static float Uniform(Random random, float min, float max) => min + (float)random.NextDouble() * (max - min);

    /// <summary>Log-uniform in [min, max): equal odds for each factor of ten.</summary>
    public static float LogUniform(Random random, float min, float max) =>
        MathF.Exp(Uniform(random, MathF.Log(min), MathF.Log(max)));

    /// <summary>Rounds [0, 1] to a byte with clamping.</summary>
    public static byte ToByte(float value) => (byte)Math.Clamp((int)MathF.Round(value * 255f), 0, 255);
}
