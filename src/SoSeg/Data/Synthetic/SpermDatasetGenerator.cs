using SoSeg.Monitoring;

namespace SoSeg.Data.Synthetic;

/// <summary>
/// Grey 640 x 480 microscopy frames in the manner of SemSperm (frames cut from phase-contrast videos of
/// semen): 5-15 tiny sperm per frame, each an oval head of 10-16 px with a midpiece and a thin curved
/// tail of 40-70 px, labelled normal (1) or abnormal (2) over head and tail; abnormal sperm have a
/// misshapen head (round, large, small, tapered, double, amorphous) and/or a bent, broken, coiled or
/// short tail. Unlabelled debris (round cells, particles, fibres, out-of-focus blobs), textured
/// background, uneven illumination, blur and sensor noise make the background realistic. Every sperm
/// covers well under 1% of the frame.
/// </summary>
public sealed class SpermDatasetGenerator : ISyntheticDatasetGenerator
{
    /// <summary>Frame width in pixels.</summary>
    public const int FrameWidth = 640;
    /// <summary>Frame height in pixels.</summary>
    public const int FrameHeight = 480;
    /// <summary>Mask value of normal sperm.</summary>
    public const byte NormalLabel = 1;
    /// <summary>Mask value of abnormal sperm.</summary>
    public const byte AbnormalLabel = 2;

    /// <inheritdoc />
    public string Kind => "sperm";

    /// <inheritdoc />
    public string Description =>
        "Grey 640x480 microscopy frames like SemSperm: 5-15 tiny sperm (head + tail) labelled normal 1 / abnormal 2, unlabelled debris.";

    /// <summary>The dataset.json fields of this generator (counts are filled in when writing).</summary>
    public static DatasetManifest Manifest => new()
    {
        Name = "SyntheticSperm",
        Description = "Synthetic phase-contrast sperm microscopy (SemSperm-like), 640x480 grey; " +
                      "labels cover head and tail of every sperm; debris is unlabelled.",
        Modality = "microscopy",
        ChannelNames = ["grey"],
        Labels = [new("background", 0), new("normal", NormalLabel), new("abnormal", AbnormalLabel)],
    };

    /// <inheritdoc />
    public void Generate(string outputFolder, int count, int seed, IProgressTask? progress = null) =>
        SyntheticDatasetWriter.Write(outputFolder, count, seed, "sperm", Manifest, Render, progress);

    /// <summary>Renders one frame from its own seed (the same seed gives the same pixels).</summary>
    public SyntheticCase Render(int caseSeed) => new Frame(new Random(caseSeed)).Render();

    enum HeadDefect { None, Round, Large, Small, Tapered, Double, Amorphous }
    enum TailDefect { None, Bent, Broken, Coiled, Short }

    /// <summary>An oval head: centre, unit direction towards the front, semi-axes, taper and outline wobble.</summary>
    sealed record Head(float X, float Y, float DirX, float DirY, float HalfLength, float HalfWidth, float Taper,
                       (int Order, float Amplitude, float Phase)[] Wobble);

    /// <summary>A centreline with a half width per point.</summary>
    sealed record Strand(List<(float X, float Y, float HalfWidth)> Points);

    sealed record Sperm(Head[] Heads, Strand[] Tail, bool Abnormal);

    /// <summary>Everything one frame needs; not shared between threads.</summary>
    sealed class Frame(Random random)
    {
        const int W = FrameWidth, H = FrameHeight;
        readonly float[] _image = new float[W * H];
        readonly byte[] _mask = new byte[W * H];
        // +1: dark heads with a bright halo (positive phase contrast); -1: bright heads with a dark rim.
        readonly float _polarity = random.NextDouble() < 0.75 ? 1f : -1f;

        public SyntheticCase Render()
        {
            float background = Raster.Uniform(random, 0.50f, 0.68f);
            Array.Fill(_image, background);
            AddBackgroundTexture();
            AddOutOfFocusBlobs(random.Next(0, 5));

            var sperm = PlaceSperm(random.Next(5, 16));
            var heads = sperm.SelectMany(s => s.Heads).ToList();
            AddFibres(random.NextDouble() < 0.5 ? random.Next(1, 3) : 0, heads);
            AddCells(random.Next(0, 4), heads);
            AddParticles(random.Next(15, 60), heads);
            foreach (var s in sperm) DrawSperm(s);

            ApplyIllumination();
            Raster.GaussianBlur(_image, W, H, Raster.Uniform(random, 0.45f, 0.85f));
            float noise = Raster.Uniform(random, 0.006f, 0.018f);
            var pixels = new byte[W * H];
            for (int i = 0; i < pixels.Length; i++)
            {
                // Irwin-Hall sum of four uniforms: a fast, close-to-Gaussian sensor noise.
                float n = (float)(random.NextDouble() + random.NextDouble() + random.NextDouble() + random.NextDouble() - 2) * 1.7320508f;
                pixels[i] = Raster.ToByte(_image[i] + noise * n);
            }
            return new SyntheticCase(W, H, 1, pixels, _mask);
        }

        void AddBackgroundTexture()
        {
            // Slow swirls of the seminal plasma and fine grain of the optics.
            new NoiseField(random, W, H, Raster.Uniform(random, 70, 130)).AddTo(_image, W, H, Raster.Uniform(random, 0.015f, 0.04f));
            new NoiseField(random, W, H, Raster.Uniform(random, 20, 35)).AddTo(_image, W, H, Raster.Uniform(random, 0.006f, 0.015f));
            new NoiseField(random, W, H, Raster.Uniform(random, 2.5f, 4f)).AddTo(_image, W, H, Raster.Uniform(random, 0.005f, 0.012f));
        }

        void ApplyIllumination()
        {
            float gradientX = Raster.Uniform(random, -0.16f, 0.16f), gradientY = Raster.Uniform(random, -0.12f, 0.12f);
            float vignette = Raster.Uniform(random, 0.08f, 0.30f);
            float centreX = W * Raster.Uniform(random, 0.4f, 0.6f), centreY = H * Raster.Uniform(random, 0.4f, 0.6f);
            float radius2 = (W * W + H * H) / 4f;
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                {
                    float dx = x - centreX, dy = y - centreY;
                    float gain = (1 + gradientX * (x / (float)W - 0.5f) + gradientY * (y / (float)H - 0.5f)) *
                                 (1 - vignette * (dx * dx + dy * dy) / radius2);
                    _image[y * W + x] *= gain;
                }
        }

        // ---- sperm ----

        List<Sperm> PlaceSperm(int wanted)
        {
            var placed = new List<Sperm>();
            var occupied = new List<(float X, float Y)>();
            for (int attempt = 0; placed.Count < wanted && attempt < wanted * 40; attempt++)
            {
                var candidate = CreateSperm(random.NextDouble() < 0.4);
                var points = SamplePoints(candidate);
                // Keep sperm apart so every one is its own object in the mask.
                if (points.Any(p => occupied.Any(o => (o.X - p.X) * (o.X - p.X) + (o.Y - p.Y) * (o.Y - p.Y) < 8 * 8))) continue;
                placed.Add(candidate);
                occupied.AddRange(points);
            }
            return placed;
        }

        static List<(float X, float Y)> SamplePoints(Sperm sperm)
        {
            var points = new List<(float, float)>();
            foreach (var head in sperm.Heads)
                for (int t = -2; t <= 2; t++)
                    points.Add((head.X + head.DirX * head.HalfLength * t / 2f, head.Y + head.DirY * head.HalfLength * t / 2f));
            foreach (var strand in sperm.Tail)
                for (int i = 0; i < strand.Points.Count; i += 3) points.Add((strand.Points[i].X, strand.Points[i].Y));
            return points;
        }

        Sperm CreateSperm(bool abnormal)
        {
            var headDefect = HeadDefect.None;
            var tailDefect = TailDefect.None;
            if (abnormal)
            {
                double kind = random.NextDouble();
                bool head = kind < 0.6, tail = kind >= 0.5;
                if (head) headDefect = (HeadDefect)random.Next(1, 7);
                if (tail) tailDefect = (TailDefect)random.Next(1, 5);
            }

            float x = Raster.Uniform(random, 12, W - 12), y = Raster.Uniform(random, 12, H - 12);
            float angle = Raster.Uniform(random, 0, 2 * MathF.PI);
            float dirX = MathF.Cos(angle), dirY = MathF.Sin(angle);

            // Normal head: 10-16 px long, 6-9 px wide, slightly narrower towards the neck.
            float halfLength = Raster.Uniform(random, 5f, 8f), halfWidth = halfLength * Raster.Uniform(random, 0.55f, 0.68f);
            float taper = Raster.Uniform(random, 0.05f, 0.15f);
            var wobble = Array.Empty<(int, float, float)>();
            switch (headDefect)
            {
                case HeadDefect.Round: halfLength = Raster.Uniform(random, 4.5f, 6f); halfWidth = halfLength * Raster.Uniform(random, 0.92f, 1f); taper = 0; break;
                case HeadDefect.Large: halfLength = Raster.Uniform(random, 9f, 11.5f); halfWidth = halfLength * Raster.Uniform(random, 0.6f, 0.75f); break;
                case HeadDefect.Small: halfLength = Raster.Uniform(random, 3f, 4f); halfWidth = halfLength * Raster.Uniform(random, 0.6f, 0.75f); break;
                case HeadDefect.Tapered: halfLength = Raster.Uniform(random, 7f, 9f); halfWidth = Raster.Uniform(random, 2.4f, 3.2f); taper = Raster.Uniform(random, 0.45f, 0.7f); break;
                case HeadDefect.Amorphous:
                    wobble = [(2, Raster.Uniform(random, 0.1f, 0.2f), Raster.Uniform(random, 0, 6.283f)),
                              (3, Raster.Uniform(random, 0.08f, 0.18f), Raster.Uniform(random, 0, 6.283f)),
                              (5, Raster.Uniform(random, 0.03f, 0.08f), Raster.Uniform(random, 0, 6.283f))];
                    break;
            }

            Head[] heads;
            if (headDefect == HeadDefect.Double)
            {
                // Two heads on one neck, splayed by 25-50 degrees.
                float splay = Raster.Uniform(random, 0.22f, 0.45f);
                heads = new Head[2];
                for (int side = 0; side < 2; side++)
                {
                    float a = angle + (side == 0 ? splay : -splay);
                    float hx = x - dirX * halfLength + MathF.Cos(a) * halfLength * 1.05f;
                    float hy = y - dirY * halfLength + MathF.Sin(a) * halfLength * 1.05f;
                    heads[side] = new Head(hx, hy, MathF.Cos(a), MathF.Sin(a), halfLength, halfWidth, taper, wobble);
                }
            }
            else heads = [new Head(x, y, dirX, dirY, halfLength, halfWidth, taper, wobble)];

            return new Sperm(heads, CreateTail(x - dirX * halfLength, y - dirY * halfLength, angle + MathF.PI, tailDefect), abnormal);
        }

        /// <summary>Midpiece and principal piece traced by integrating a beating-flagellum tangent angle.</summary>
        Strand[] CreateTail(float neckX, float neckY, float direction, TailDefect defect)
        {
            float midpiece = Raster.Uniform(random, 7f, 10f);
            float principal = defect switch
            {
                TailDefect.Short => Raster.Uniform(random, 8f, 18f),
                TailDefect.Coiled => Raster.Uniform(random, 26f, 40f),
                _ => Raster.Uniform(random, 38f, 58f),
            };
            float length = midpiece + principal;
            float curvature = Raster.Uniform(random, -0.012f, 0.012f);
            float beat = Raster.Uniform(random, 0.5f, 1.5f), wavelength = Raster.Uniform(random, 24f, 42f), phase = Raster.Uniform(random, 0, 6.283f);
            if (defect == TailDefect.Coiled) { curvature = (random.NextDouble() < 0.5 ? -1 : 1) * Raster.Uniform(random, 0.10f, 0.16f); beat = 0.1f; }
            float bendAt = defect == TailDefect.Bent ? Raster.Uniform(random, 2f, length * 0.45f) : float.NaN;
            float bendAngle = (random.NextDouble() < 0.5 ? -1 : 1) * Raster.Uniform(random, 0.9f, 2.0f);
            float breakAt = defect == TailDefect.Broken ? Raster.Uniform(random, midpiece + 6, length * 0.7f) : float.NaN;
            float gap = Raster.Uniform(random, 3.5f, 7f);
            float kink = (random.NextDouble() < 0.5 ? -1 : 1) * Raster.Uniform(random, 0.15f, 0.6f);

            var strands = new List<Strand>();
            var current = new List<(float, float, float)>();
            float x = neckX, y = neckY, theta = direction;
            float midpieceHalfWidth = Raster.Uniform(random, 1.05f, 1.35f);
            bool broken = false;
            for (float s = 0; s <= length; s += 1f)
            {
                float halfWidth = s < midpiece ? midpieceHalfWidth : 0.85f - 0.35f * (s - midpiece) / principal;
                current.Add((x, y, halfWidth));
                float t = s / length;
                // Tangent angle: slow bend + a wave whose amplitude grows towards the tip.
                float dTheta = curvature + beat * t * MathF.Cos(2 * MathF.PI * s / wavelength + phase) * (2 * MathF.PI / wavelength) * 0.5f;
                if (!float.IsNaN(bendAt) && s < bendAt && s + 1 >= bendAt) dTheta += bendAngle;
                theta += dTheta;
                x += MathF.Cos(theta);
                y += MathF.Sin(theta);
                if (!broken && !float.IsNaN(breakAt) && s >= breakAt)
                {
                    // A break: the piece beyond the gap drifts sideways and turns a little.
                    broken = true;
                    strands.Add(new Strand(current));
                    current = [];
                    x += MathF.Cos(theta) * gap + MathF.Cos(theta + MathF.PI / 2) * Raster.Uniform(random, -2f, 2f);
                    y += MathF.Sin(theta) * gap + MathF.Sin(theta + MathF.PI / 2) * Raster.Uniform(random, -2f, 2f);
                    theta += kink;
                    s += gap;
                }
            }
            if (current.Count > 1) strands.Add(new Strand(current));
            return strands.ToArray();
        }

        void DrawSperm(Sperm sperm)
        {
            byte label = sperm.Abnormal ? AbnormalLabel : NormalLabel;
            float headContrast = Raster.Uniform(random, 0.16f, 0.28f), haloContrast = Raster.Uniform(random, 0.05f, 0.11f);
            float tailContrast = Raster.Uniform(random, 0.10f, 0.18f);
            foreach (var head in sperm.Heads) DrawHead(head, label, headContrast, haloContrast);
            foreach (var strand in sperm.Tail) DrawStrand(strand, tailContrast, label);
        }

        /// <summary>Approximate signed distance to a head outline (negative inside) and the position along its axis in [-1, 1].</summary>
        static float HeadDistance(Head head, float px, float py, out float along)
        {
            float dx = px - head.X, dy = py - head.Y;
            float u = dx * head.DirX + dy * head.DirY;     // towards the front
            float v = -dx * head.DirY + dy * head.DirX;    // across
            along = Math.Clamp(u / head.HalfLength, -1, 1);
            float a = head.HalfLength;
            float b = head.HalfWidth * (1 + head.Taper * along);
            if (head.Wobble.Length > 0)
            {
                float polar = MathF.Atan2(v, u), scale = 1;
                foreach (var (order, amplitude, phase) in head.Wobble) scale += amplitude * MathF.Cos(order * polar + phase);
                a *= scale;
                b *= scale;
            }
            float f = u * u / (a * a) + v * v / (b * b) - 1;
            float gx = 2 * u / (a * a), gy = 2 * v / (b * b);
            float gradient = MathF.Max(MathF.Sqrt(gx * gx + gy * gy), 2 / MathF.Max(a, b));
            return f / gradient;
        }

        void DrawHead(Head head, byte label, float contrast, float halo)
        {
            int reach = (int)MathF.Ceiling(head.HalfLength * 1.4f + 5);
            int x0 = Math.Max(0, (int)head.X - reach), x1 = Math.Min(W - 1, (int)head.X + reach);
            int y0 = Math.Max(0, (int)head.Y - reach), y1 = Math.Min(H - 1, (int)head.Y + reach);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    float d = HeadDistance(head, x + 0.5f, y + 0.5f, out float along);
                    if (d > 5) continue;
                    int i = y * W + x;
                    float inside = 1 - Raster.Smoothstep(-0.7f, 0.7f, d);
                    // Acrosome (front) paler than the nucleus (back); a bright halo just outside the edge.
                    float body = inside * (0.8f - 0.25f * along);
                    float ring = MathF.Exp(-(d - 1.5f) * (d - 1.5f) / 1.2f);
                    _image[i] += _polarity * (-contrast * body + halo * ring);
                    if (d <= 0 && _mask[i] == 0) _mask[i] = label;
                }
        }

        void DrawStrand(Strand strand, float contrast, byte label) => Splat(strand, contrast, label, haloContrast: contrast * 0.3f);

        /// <summary>Darkens (or brightens) along a centreline with a Gaussian cross-section; labels pixels within the half width.</summary>
        void Splat(Strand strand, float contrast, byte label, float haloContrast)
        {
            var points = strand.Points;
            if (points.Count < 2) return;
            float minX = points.Min(p => p.X) - 4, maxX = points.Max(p => p.X) + 4;
            float minY = points.Min(p => p.Y) - 4, maxY = points.Max(p => p.Y) + 4;
            int x0 = Math.Max(0, (int)minX), x1 = Math.Min(W - 1, (int)maxX);
            int y0 = Math.Max(0, (int)minY), y1 = Math.Min(H - 1, (int)maxY);
            if (x0 > x1 || y0 > y1) return;
            int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
            var distance = new float[bw * bh];
            var width = new float[bw * bh];
            Array.Fill(distance, float.MaxValue);
            for (int k = 0; k + 1 < points.Count; k++)
            {
                var (ax, ay, aw) = points[k];
                var (bx, by, bwid) = points[k + 1];
                float ex = bx - ax, ey = by - ay, length2 = MathF.Max(ex * ex + ey * ey, 1e-6f);
                int sx0 = Math.Max(x0, (int)(MathF.Min(ax, bx) - 3)), sx1 = Math.Min(x1, (int)(MathF.Max(ax, bx) + 3));
                int sy0 = Math.Max(y0, (int)(MathF.Min(ay, by) - 3)), sy1 = Math.Min(y1, (int)(MathF.Max(ay, by) + 3));
                for (int y = sy0; y <= sy1; y++)
                    for (int x = sx0; x <= sx1; x++)
                    {
                        float px = x + 0.5f - ax, py = y + 0.5f - ay;
                        float t = Math.Clamp((px * ex + py * ey) / length2, 0, 1);
                        float qx = px - t * ex, qy = py - t * ey;
                        float d = MathF.Sqrt(qx * qx + qy * qy);
                        int j = (y - y0) * bw + (x - x0);
                        if (d < distance[j]) { distance[j] = d; width[j] = aw + (bwid - aw) * t; }
                    }
            }
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    int j = (y - y0) * bw + (x - x0);
                    float d = distance[j];
                    if (d > 4) continue;
                    float halfWidth = width[j];
                    float core = MathF.Exp(-d * d / (2 * MathF.Max(halfWidth * 0.8f, 0.45f) * MathF.Max(halfWidth * 0.8f, 0.45f)));
                    float ring = MathF.Exp(-(d - halfWidth - 1.2f) * (d - halfWidth - 1.2f) / 0.8f);
                    int i = y * W + x;
                    _image[i] += _polarity * (-contrast * core * MathF.Min(1, halfWidth * 1.4f) + haloContrast * ring);
                    // At least 0.6 px so a one-pixel tail stays a connected line in the mask.
                    if (label != 0 && d <= MathF.Max(halfWidth, 0.6f) && _mask[i] == 0) _mask[i] = label;
                }
        }

        // ---- debris (never labelled) ----

        bool NearHead(List<Head> heads, float x, float y, float clearance) =>
            heads.Any(h => (h.X - x) * (h.X - x) + (h.Y - y) * (h.Y - y) < clearance * clearance);

        void AddFibres(int count, List<Head> heads)
        {
            for (int f = 0; f < count; f++)
            {
                float x = Raster.Uniform(random, 0, W), y = Raster.Uniform(random, 0, H), theta = Raster.Uniform(random, 0, 6.283f);
                float length = Raster.Uniform(random, 50, 200), halfWidth = Raster.Uniform(random, 0.45f, 0.9f);
                float curvature = Raster.Uniform(random, -0.015f, 0.015f);
                var points = new List<(float, float, float)>();
                for (float s = 0; s < length; s += 1.5f)
                {
                    points.Add((x, y, halfWidth));
                    theta += curvature * 1.5f + 0.03f * Raster.Gaussian(random);
                    x += 1.5f * MathF.Cos(theta);
                    y += 1.5f * MathF.Sin(theta);
                }
                if (points.Any(p => NearHead(heads, p.Item1, p.Item2, 10))) continue;
                Splat(new Strand(points), Raster.Uniform(random, 0.05f, 0.12f), label: 0, haloContrast: 0.02f);
            }
        }

        void AddCells(int count, List<Head> heads)
        {
            for (int c = 0; c < count; c++)
            {
                float radius = Raster.Uniform(random, 7f, 15f);
                float cx = Raster.Uniform(random, 0, W), cy = Raster.Uniform(random, 0, H);
                if (NearHead(heads, cx, cy, radius + 14)) continue;
                float contrast = Raster.Uniform(random, 0.05f, 0.12f), halo = Raster.Uniform(random, 0.06f, 0.14f);
                var grain = new NoiseField(random, (int)(2 * radius + 12), (int)(2 * radius + 12), 2.2f);
                var outline = new NoiseField(random, 64, 1, 8f);
                bool nucleus = random.NextDouble() < 0.6;
                float nx = Raster.Uniform(random, -0.3f, 0.3f) * radius, ny = Raster.Uniform(random, -0.3f, 0.3f) * radius;
                float nucleusRadius = radius * Raster.Uniform(random, 0.35f, 0.55f);
                int reach = (int)(radius + 6);
                for (int y = Math.Max(0, (int)cy - reach); y <= Math.Min(H - 1, (int)cy + reach); y++)
                    for (int x = Math.Max(0, (int)cx - reach); x <= Math.Min(W - 1, (int)cx + reach); x++)
                    {
                        float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                        float r = MathF.Sqrt(dx * dx + dy * dy);
                        float polar = (MathF.Atan2(dy, dx) + MathF.PI) / (2 * MathF.PI) * 60;
                        float d = r - radius * (1 + 0.08f * outline.Sample(polar, 0.5f));
                        if (d > 6) continue;
                        float inside = 1 - Raster.Smoothstep(-1f, 1f, d);
                        float texture = grain.Sample(dx + reach, dy + reach);
                        float value = -contrast * inside * (0.6f + 0.5f * texture) + halo * MathF.Exp(-(d - 1.8f) * (d - 1.8f) / 2f);
                        if (nucleus)
                        {
                            float nd = MathF.Sqrt((dx - nx) * (dx - nx) + (dy - ny) * (dy - ny)) - nucleusRadius;
                            value -= 0.6f * contrast * (1 - Raster.Smoothstep(-1.5f, 1.5f, nd));
                        }
                        _image[y * W + x] += _polarity * value;
                    }
            }
        }

        void AddParticles(int count, List<Head> heads)
        {
            for (int p = 0; p < count; p++)
            {
                float radius = Raster.LogUniform(random, 0.6f, 2.8f);
                float cx = Raster.Uniform(random, 0, W), cy = Raster.Uniform(random, 0, H);
                if (NearHead(heads, cx, cy, radius + 8)) continue;
                float contrast = (random.NextDouble() < 0.7 ? 1 : -1) * Raster.Uniform(random, 0.06f, 0.25f);
                int reach = (int)(radius * 3 + 3);
                for (int y = Math.Max(0, (int)cy - reach); y <= Math.Min(H - 1, (int)cy + reach); y++)
                    for (int x = Math.Max(0, (int)cx - reach); x <= Math.Min(W - 1, (int)cx + reach); x++)
                    {
                        float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                        float r2 = dx * dx + dy * dy;
                        float r = MathF.Sqrt(r2);
                        float value = -contrast * MathF.Exp(-r2 / (2 * radius * radius)) +
                                      0.35f * MathF.Abs(contrast) * MathF.Exp(-(r - radius - 1.2f) * (r - radius - 1.2f) / 0.8f);
                        _image[y * W + x] += _polarity * value;
                    }
            }
        }

        void AddOutOfFocusBlobs(int count)
        {
            for (int b = 0; b < count; b++)
            {
                float radius = Raster.Uniform(random, 6f, 22f);
                float cx = Raster.Uniform(random, 0, W), cy = Raster.Uniform(random, 0, H);
                float contrast = (random.NextDouble() < 0.5 ? 1 : -1) * Raster.Uniform(random, 0.015f, 0.04f);
                int reach = (int)(radius * 2.5f);
                for (int y = Math.Max(0, (int)cy - reach); y <= Math.Min(H - 1, (int)cy + reach); y++)
                    for (int x = Math.Max(0, (int)cx - reach); x <= Math.Min(W - 1, (int)cx + reach); x++)
                    {
                        float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                        float r = MathF.Sqrt(dx * dx + dy * dy);
                        // A defocused disc: flat inside, a soft brighter rim.
                        float disc = 1 - Raster.Smoothstep(radius - 3, radius + 3, r);
                        float rim = MathF.Exp(-(r - radius) * (r - radius) / 8f);
                        _image[y * W + x] += contrast * (disc + 0.8f * rim);
                    }
            }
        }
    }
}
