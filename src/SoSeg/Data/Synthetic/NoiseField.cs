namespace SoSeg.Data.Synthetic;

/// <summary>
/// Smooth value noise: random values in [-1, 1] on a square lattice, blended with smoothstep weights.
/// Summing a few octaves gives the tissue textures, illumination fields and warps of the generators.
/// </summary>
internal sealed class NoiseField
{
    readonly float[] _lattice;
    readonly int _columns;
    readonly int _rows;
    readonly float _inverseCell;

    /// <summary>A lattice with one value every <paramref name="cellSize"/> pixels, covering width x height plus a margin.</summary>
    public NoiseField(Random random, int width, int height, float cellSize)
    {
        if (cellSize <= 0) throw new ArgumentOutOfRangeException(nameof(cellSize), "The noise cell size must be positive.");
        _inverseCell = 1f / cellSize;
        _columns = (int)MathF.Ceiling(width * _inverseCell) + 3;
        _rows = (int)MathF.Ceiling(height * _inverseCell) + 3;
        _lattice = new float[_columns * _rows];
        for (int i = 0; i < _lattice.Length; i++) _lattice[i] = (float)(random.NextDouble() * 2 - 1);
    }

    /// <summary>The noise at a pixel position (outside the covered area the border values repeat).</summary>
    public float Sample(float x, float y)
    {
        float gx = Math.Clamp(x * _inverseCell, 0, _columns - 2.001f);
        float gy = Math.Clamp(y * _inverseCell, 0, _rows - 2.001f);
        int ix = (int)gx, iy = (int)gy;
        float wx = Smooth(gx - ix), wy = Smooth(gy - iy);
        int i = iy * _columns + ix;
        float top = _lattice[i] + (_lattice[i + 1] - _lattice[i]) * wx;
        float bottom = _lattice[i + _columns] + (_lattice[i + _columns + 1] - _lattice[i + _columns]) * wx;
        return top + (bottom - top) * wy;
    }

    /// <summary>Adds amplitude x noise to every pixel of a width x height plane (row-major).</summary>
    public void AddTo(float[] plane, int width, int height, float amplitude)
    {
        var ix = new int[width];
        var wx = new float[width];
        for (int x = 0; x < width; x++)
        {
            float gx = Math.Clamp((x + 0.5f) * _inverseCell, 0, _columns - 2.001f);
            ix[x] = (int)gx;
            wx[x] = Smooth(gx - ix[x]);
        }
        for (int y = 0; y < height; y++)
        {
            float gy = Math.Clamp((y + 0.5f) * _inverseCell, 0, _rows - 2.001f);
            int iy = (int)gy;
            float wy = Smooth(gy - iy);
            int top = iy * _columns, bottom = top + _columns, row = y * width;
            for (int x = 0; x < width; x++)
            {
                int c = ix[x];
                float a = _lattice[top + c] + (_lattice[top + c + 1] - _lattice[top + c]) * wx[x];
                float b = _lattice[bottom + c] + (_lattice[bottom + c + 1] - _lattice[bottom + c]) * wx[x];
                plane[row + x] += amplitude * (a + (b - a) * wy);
            }
        }
    }

    /// <summary>
    /// Adds amplitude x noise sampled on a lattice turned by <paramref name="angle"/> radians: fine value
    /// noise shows the lattice's axes as faint streaks, and turning each layer differently hides them.
    /// </summary>
    public static void AddRotated(Random random, float[] plane, int width, int height, float cellSize, float amplitude, float angle)
    {
        int diagonal = (int)MathF.Ceiling(MathF.Sqrt(width * width + height * height)) + 2;
        var field = new NoiseField(random, diagonal, diagonal, cellSize);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle), half = diagonal / 2f, cx = width / 2f, cy = height / 2f;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                plane[y * width + x] += amplitude * field.Sample(dx * cos - dy * sin + half, dx * sin + dy * cos + half);
            }
    }

    /// <summary>
    /// Fractal noise in about [-1, 1]: <paramref name="octaves"/> layers, each with half the cell size and
    /// <paramref name="persistence"/> times the amplitude of the previous one.
    /// </summary>
    public static float[] Fractal(Random random, int width, int height, float cellSize, int octaves, float persistence = 0.5f)
    {
        var plane = new float[width * height];
        float amplitude = 1, total = 0;
        for (int o = 0; o < octaves; o++)
        {
            new NoiseField(random, width, height, cellSize).AddTo(plane, width, height, amplitude);
            total += amplitude;
            amplitude *= persistence;
            cellSize = MathF.Max(cellSize * 0.5f, 1);
        }
        float scale = 1 / total;
        for (int i = 0; i < plane.Length; i++) plane[i] *= scale;
        return plane;
    }

    static float Smooth(float t) => t * t * (3 - 2 * t);
}
