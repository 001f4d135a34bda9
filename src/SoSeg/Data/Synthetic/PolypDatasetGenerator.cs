using SoSeg.Monitoring;

namespace SoSeg.Data.Synthetic;

/// <summary>
/// RGB colonoscopy-like frames in the manner of PolypGen: sizes vary per frame (scaled-down PolypGen
/// aspect ratios), pink-red mucosa seen down a lumen (dark far end, haustral folds, a tube wall lit by
/// the light at the camera), mucosal texture, branching vessels, wet specular highlights, black field-of-
/// view corners with vignetting, sometimes an info panel. Zero to three polyps per frame (about 15% of
/// frames have none): raised domes with their own colour and pit texture and a soft edge, from under
/// 1% to about 15% of the frame. Labels: background 0, polyp 1.
/// </summary>
public sealed class PolypDatasetGenerator : ISyntheticDatasetGenerator
{
    /// <summary>Mask value of polyps.</summary>
    public const byte PolypLabel = 1;

    /// <summary>Smallest polyp area as a fraction of the frame.</summary>
    public const float MinAreaFraction = 0.0015f;

    /// <summary>Largest polyp area as a fraction of the frame (before the outline's small wobble).</summary>
    public const float MaxAreaFraction = 0.15f;

    /// <summary>Frame sizes (width, height): PolypGen's 1920x1080, 1350x1080, 720x576, 1240x1080 and similar, scaled down.</summary>
    public static IReadOnlyList<(int Width, int Height)> FrameSizes { get; } =
        [(512, 448), (560, 448), (576, 480), (640, 360), (620, 540)];

    /// <inheritdoc />
    public string Kind => "polyp";

    /// <inheritdoc />
    public string Description =>
        "RGB colonoscopy frames like PolypGen (several sizes): mucosa, folds, vessels, highlights; 0-3 polyps from <1% to ~15% of the frame, label 1.";

    /// <summary>The dataset.json fields of this generator (counts are filled in when writing).</summary>
    public static DatasetManifest Manifest => new()
    {
        Name = "SyntheticPolyp",
        Description = "Synthetic colonoscopy frames (PolypGen-like), RGB, several frame sizes; " +
                      "0-3 polyps per frame from under 1% to about 15% of the frame.",
        Modality = "colonoscopy",
        ChannelNames = ["R", "G", "B"],
        Labels = [new("background", 0), new("polyp", PolypLabel)],
    };

    /// <inheritdoc />
    public void Generate(string outputFolder, int count, int seed, IProgressTask? progress = null) =>
        SyntheticDatasetWriter.Write(outputFolder, count, seed, "polyp", Manifest, Render, progress);

    /// <summary>Renders one frame from its own seed (the same seed gives the same pixels).</summary>
    public SyntheticCase Render(int caseSeed) => new Frame(new Random(caseSeed)).Render();

    /// <summary>A polyp: centre, radius, outline harmonics, dome height and exponent, colour and texture.</summary>
    sealed record Polyp(float X, float Y, float Radius, (int Order, float Amplitude, float Phase)[] Outline,
                        float Height, float Exponent, float[] Colour, float PitContrast);

    sealed class Frame
    {
        readonly Random _random;
        readonly int _w, _h;
        readonly float[] _height;          // relief in pixels (folds, bumps, polyps)
        readonly float[] _red, _green, _blue; // albedo, then shaded colour
        readonly byte[] _mask;
        readonly float[] _fieldOfView;     // 1 inside the endoscope's view, 0 in the black border
        float _lumenX, _lumenY, _lumenRadius;

        public Frame(Random random)
        {
            _random = random;
            (_w, _h) = FrameSizes[random.Next(FrameSizes.Count)];
            int n = _w * _h;
            _height = new float[n];
            _red = new float[n];
            _green = new float[n];
            _blue = new float[n];
            _mask = new byte[n];
            _fieldOfView = new float[n];
        }

        public SyntheticCase Render()
        {
            bool infoPanel = BuildFieldOfView();
            PlaceLumen();
            BuildRelief();
            PaintMucosa();
            var polyps = PlacePolyps();
            foreach (var polyp in polyps) AddPolyp(polyp);
            Shade();
            float blur = Uniform(0.5f, 1.0f);
            Raster.GaussianBlur(_red, _w, _h, blur);
            Raster.GaussianBlur(_green, _w, _h, blur);
            Raster.GaussianBlur(_blue, _w, _h, blur);
            if (infoPanel) DrawInfoPanel();

            float noise = Uniform(0.004f, 0.014f);
            var pixels = new byte[_w * _h * 3];
            for (int i = 0; i < _w * _h; i++)
            {
                float grain = noise * ((float)(_random.NextDouble() + _random.NextDouble() - 1) * 2.449f);
                pixels[3 * i] = Raster.ToByte(_red[i] + grain);
                pixels[3 * i + 1] = Raster.ToByte(_green[i] + grain * 0.8f);
                pixels[3 * i + 2] = Raster.ToByte(_blue[i] + grain * 0.9f);
            }
            return new SyntheticCase(_w, _h, 3, pixels, _mask);
        }

        float Uniform(float min, float max) => Raster.Uniform(_random, min, max);

        /// <summary>One octave of value noise over the frame, in [-1, 1].</summary>
        float[] Plane(float cellSize)
        {
            var plane = new float[_w * _h];
            new NoiseField(_random, _w, _h, cellSize).AddTo(plane, _w, _h, 1);
            return plane;
        }

        /// <summary>Rounded-rectangle view with black corners; wide frames may put an info panel on the left.</summary>
        bool BuildFieldOfView()
        {
            bool panel = _w > 1.5f * _h && _random.NextDouble() < 0.6;
            float left = panel ? _w - _h * Uniform(1.15f, 1.3f) : Uniform(0, 0.04f) * _w;
            float right = _w - (panel ? Uniform(0, 0.02f) * _w : Uniform(0, 0.04f) * _w);
            float top = Uniform(0, 0.02f) * _h, bottom = _h - Uniform(0, 0.02f) * _h;
            float corner = Uniform(0.12f, 0.32f) * Math.Min(right - left, bottom - top);
            float cx = (left + right) / 2, cy = (top + bottom) / 2, hx = (right - left) / 2 - corner, hy = (bottom - top) / 2 - corner;
            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++)
                {
                    // Signed distance to a rounded rectangle.
                    float qx = MathF.Abs(x + 0.5f - cx) - hx, qy = MathF.Abs(y + 0.5f - cy) - hy;
                    float outside = MathF.Sqrt(MathF.Max(qx, 0) * MathF.Max(qx, 0) + MathF.Max(qy, 0) * MathF.Max(qy, 0)) + MathF.Min(MathF.Max(qx, qy), 0) - corner;
                    _fieldOfView[y * _w + x] = 1 - Raster.Smoothstep(-1.5f, 1.5f, outside);
                }
            return panel;
        }

        void PlaceLumen()
        {
            // Most frames look down the colon (lumen in view); some face the wall (lumen beyond the frame).
            if (_random.NextDouble() < 0.7)
            {
                _lumenX = _w * Uniform(0.2f, 0.8f);
                _lumenY = _h * Uniform(0.2f, 0.8f);
                _lumenRadius = Math.Min(_w, _h) * Uniform(0.05f, 0.16f);
            }
            else
            {
                float angle = Uniform(0, 2 * MathF.PI), distance = Math.Max(_w, _h) * Uniform(0.7f, 1.1f);
                _lumenX = _w / 2f + MathF.Cos(angle) * distance;
                _lumenY = _h / 2f + MathF.Sin(angle) * distance;
                _lumenRadius = Math.Min(_w, _h) * 0.1f;
            }
        }

        /// <summary>Relief: slow undulation, haustral folds as warped rings around the lumen, fine mucosal bumps.</summary>
        void BuildRelief()
        {
            var undulation = NoiseField.Fractal(_random, _w, _h, Uniform(120, 200), 3);
            float undulationDepth = Uniform(4, 12);
            for (int i = 0; i < _height.Length; i++) _height[i] = undulation[i] * undulationDepth;
            NoiseField.AddRotated(_random, _height, _w, _h, Uniform(4, 7), Uniform(0.2f, 0.45f), Uniform(0.3f, 1.2f));
            NoiseField.AddRotated(_random, _height, _w, _h, Uniform(5, 8), Uniform(0.15f, 0.3f), Uniform(-1.2f, -0.3f));
            NoiseField.AddRotated(_random, _height, _w, _h, Uniform(14, 22), Uniform(0.6f, 1.5f), Uniform(0, 6.283f));

            if (_random.NextDouble() < 0.8)
            {
                var warp = Plane(Uniform(50, 90));
                var strength = Plane(Uniform(120, 220));
                float foldsPerLog = Uniform(1.2f, 2.0f), foldHeight = Uniform(8, 20), phase = Uniform(0, 1);
                float warpAmount = Uniform(0.04f, 0.1f);
                for (int y = 0; y < _h; y++)
                    for (int x = 0; x < _w; x++)
                    {
                        float dx = x - _lumenX, dy = y - _lumenY;
                        float r = MathF.Sqrt(dx * dx + dy * dy) + 1;
                        // Folds crowd towards the far (lumen) end: evenly spaced in log distance.
                        int i = y * _w + x;
                        float position = MathF.Log(r / _lumenRadius) * foldsPerLog + phase + warpAmount * 4 * warp[i];
                        float ring = 0.5f + 0.5f * MathF.Cos(2 * MathF.PI * position);
                        float ridge = ring * ring;
                        float visible = Raster.Smoothstep(-0.6f, 0.4f, strength[i]);
                        _height[i] += foldHeight * ridge * visible * Raster.Smoothstep(_lumenRadius, _lumenRadius * 2, r);
                    }
            }
        }

        /// <summary>Pink-red albedo with blotchy variation and a network of darker, bluer vessels.</summary>
        void PaintMucosa()
        {
            float baseRed = Uniform(0.8f, 0.95f), baseGreen = Uniform(0.34f, 0.48f), baseBlue = Uniform(0.27f, 0.40f);
            var blotches = NoiseField.Fractal(_random, _w, _h, Uniform(40, 80), 3);
            var tint = NoiseField.Fractal(_random, _w, _h, Uniform(90, 160), 2);
            float blotchAmount = Uniform(0.04f, 0.1f), tintAmount = Uniform(0.02f, 0.06f);
            for (int i = 0; i < _red.Length; i++)
            {
                float b = 1 + blotchAmount * blotches[i];
                _red[i] = baseRed * b;
                _green[i] = (baseGreen + tintAmount * tint[i]) * b;
                _blue[i] = (baseBlue + 0.5f * tintAmount * tint[i]) * b;
            }

            var vessels = new float[_w * _h];
            int trees = _random.Next(4, 14);
            for (int t = 0; t < trees; t++)
                GrowVessel(vessels, Uniform(0, _w), Uniform(0, _h), Uniform(0, 2 * MathF.PI), Uniform(0.7f, 1.8f), Uniform(60, 220), 0);
            Raster.GaussianBlur(vessels, _w, _h, Uniform(0.5f, 1.2f));
            float vesselStrength = Uniform(0.2f, 0.55f);
            for (int i = 0; i < vessels.Length; i++)
            {
                float v = vesselStrength * MathF.Min(vessels[i], 1);
                _red[i] *= 1 - 0.18f * v;
                _green[i] *= 1 - 0.55f * v;
                _blue[i] *= 1 - 0.35f * v;
            }
        }

        void GrowVessel(float[] vessels, float x, float y, float theta, float halfWidth, float length, int depth)
        {
            // The turning rate itself wanders (and decays), so vessels meander smoothly instead of jittering.
            float wander = Uniform(0.01f, 0.03f), turn = 0;
            for (float s = 0; s < length && halfWidth > 0.35f; s += 1.5f)
            {
                SplatDisc(vessels, x, y, halfWidth);
                turn = 0.93f * turn + wander * Raster.Gaussian(_random);
                theta += turn;
                x += 1.5f * MathF.Cos(theta);
                y += 1.5f * MathF.Sin(theta);
                halfWidth *= 0.994f;
                if (depth < 3 && _random.NextDouble() < 0.03)
                    GrowVessel(vessels, x, y, theta + (_random.NextDouble() < 0.5 ? -1 : 1) * Uniform(0.4f, 1.1f),
                               halfWidth * Uniform(0.55f, 0.8f), (length - s) * Uniform(0.3f, 0.7f), depth + 1);
            }
        }

        void SplatDisc(float[] plane, float cx, float cy, float halfWidth)
        {
            int reach = (int)MathF.Ceiling(halfWidth * 2.5f + 1);
            int x0 = Math.Max(0, (int)cx - reach), x1 = Math.Min(_w - 1, (int)cx + reach);
            int y0 = Math.Max(0, (int)cy - reach), y1 = Math.Min(_h - 1, (int)cy + reach);
            float inverse = 1 / (2 * halfWidth * halfWidth);
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++)
                {
                    float dx = x + 0.5f - cx, dy = y + 0.5f - cy;
                    float value = MathF.Exp(-(dx * dx + dy * dy) * inverse);
                    int i = y * _w + x;
                    if (value > plane[i]) plane[i] = value;
                }
        }

        /// <summary>0-3 polyps with log-uniform areas, inside the field of view, apart from each other and the lumen.</summary>
        List<Polyp> PlacePolyps()
        {
            double draw = _random.NextDouble();
            int wanted = draw < 0.15 ? 0 : draw < 0.8 ? 1 : draw < 0.95 ? 2 : 3;
            var polyps = new List<Polyp>();
            for (int p = 0; p < wanted; p++)
            {
                float area = Raster.LogUniform(_random, MinAreaFraction, MaxAreaFraction) * _w * _h;
                float radius = MathF.Sqrt(area / MathF.PI);
                for (int attempt = 0; attempt < 60; attempt++)
                {
                    float x = Uniform(radius * 1.2f, _w - radius * 1.2f), y = Uniform(radius * 1.2f, _h - radius * 1.2f);
                    if (radius * 1.2f * 2 > _w || radius * 1.2f * 2 > _h) break;
                    if (!InsideView(x, y, radius * 1.15f)) continue;
                    if (polyps.Any(q => Distance(q.X, q.Y, x, y) < (q.Radius + radius) * 1.3f)) continue;
                    if (Distance(_lumenX, _lumenY, x, y) < _lumenRadius + radius * 1.1f) continue;
                    polyps.Add(CreatePolyp(x, y, radius));
                    break;
                }
            }
            return polyps;
        }

        bool InsideView(float x, float y, float radius)
        {
            for (int k = 0; k < 16; k++)
            {
                float a = k * MathF.PI / 8;
                int px = (int)(x + radius * MathF.Cos(a)), py = (int)(y + radius * MathF.Sin(a));
                if (px < 0 || py < 0 || px >= _w || py >= _h || _fieldOfView[py * _w + px] < 0.99f) return false;
            }
            return true;
        }

        static float Distance(float ax, float ay, float bx, float by) => MathF.Sqrt((ax - bx) * (ax - bx) + (ay - by) * (ay - by));

        Polyp CreatePolyp(float x, float y, float radius)
        {
            (int, float, float)[] outline =
            [
                (2, Uniform(0, 0.18f), Uniform(0, 6.283f)),
                (3, Uniform(0, 0.07f), Uniform(0, 6.283f)),
                (4, Uniform(0, 0.04f), Uniform(0, 6.283f)),
                (6, Uniform(0, 0.02f), Uniform(0, 6.283f)),
            ];
            // Flat (sessile) polyps are low; pedunculated-looking ones stand high.
            float height = radius * Uniform(0.35f, 0.9f);
            float[] colour = _random.NextDouble() < 0.6
                ? [Uniform(0.82f, 0.95f), Uniform(0.28f, 0.4f), Uniform(0.24f, 0.34f)]   // redder (adenoma-like)
                : [Uniform(0.88f, 0.98f), Uniform(0.46f, 0.58f), Uniform(0.36f, 0.46f)];  // paler
            return new Polyp(x, y, radius, outline, height, Uniform(0.8f, 1.4f), colour, Uniform(0.04f, 0.1f));
        }

        /// <summary>Raises the dome, blends its colour over a soft edge, adds its pit texture and labels it.</summary>
        void AddPolyp(Polyp polyp)
        {
            var pits = new NoiseField(_random, _w, _h, Uniform(4f, 7f));
            var speckle = new NoiseField(_random, _w, _h, Uniform(2f, 3.5f));
            var lobes = new NoiseField(_random, _w, _h, Math.Max(4, polyp.Radius * 0.35f));
            int reach = (int)(polyp.Radius * 1.5f + 4);
            for (int y = Math.Max(0, (int)polyp.Y - reach); y <= Math.Min(_h - 1, (int)polyp.Y + reach); y++)
                for (int x = Math.Max(0, (int)polyp.X - reach); x <= Math.Min(_w - 1, (int)polyp.X + reach); x++)
                {
                    float dx = x + 0.5f - polyp.X, dy = y + 0.5f - polyp.Y;
                    float polar = MathF.Atan2(dy, dx), scale = 1;
                    foreach (var (order, amplitude, phase) in polyp.Outline) scale += amplitude * MathF.Cos(order * polar + phase);
                    float rho = MathF.Sqrt(dx * dx + dy * dy) / (polyp.Radius * scale);
                    if (rho > 1.25f) continue;
                    int i = y * _w + x;
                    if (rho < 1)
                    {
                        float dome = MathF.Pow(1 - rho * rho, polyp.Exponent);
                        _height[i] += polyp.Height * dome * (1 + 0.12f * lobes.Sample(x, y)) + 0.4f * pits.Sample(x, y);
                        _mask[i] = PolypLabel;
                    }
                    // Soft edge: the colour changes over about a tenth of the radius around the outline.
                    float blend = 1 - Raster.Smoothstep(0.9f, 1.08f, rho);
                    float texture = 1 + polyp.PitContrast * speckle.Sample(x, y);
                    float weight = 0.85f * blend;
                    _red[i] += weight * (polyp.Colour[0] * texture - _red[i]);
                    _green[i] += weight * (polyp.Colour[1] * texture - _green[i]);
                    _blue[i] += weight * (polyp.Colour[2] * texture - _blue[i]);
                }
        }

        /// <summary>
        /// Light at the camera: Lambert diffuse on normals of (tube wall + relief), fall-off with depth towards
        /// the lumen, Blinn-Phong highlights on wet patches, vignetting and the black field-of-view border.
        /// </summary>
        void Shade()
        {
            var wetness = Plane(Uniform(10, 25));
            var lumenEdge = Plane(Uniform(15, 30));
            float shininess = Uniform(20, 60), specular = Uniform(1.0f, 2.0f), wetBias = Uniform(-0.1f, 0.4f);
            float exposure = Uniform(1.0f, 1.35f), ambient = Uniform(0.12f, 0.22f);
            float wallTilt = Uniform(0.5f, 1.1f), nearTilt = Uniform(1.5f, 3f);
            float brightRadius = MathF.Sqrt(_w * _w + _h * _h) * Uniform(0.16f, 0.32f);
            float lightX = Uniform(-0.15f, 0.15f), lightY = Uniform(-0.15f, 0.15f);
            float lightNorm = MathF.Sqrt(lightX * lightX + lightY * lightY + 1);
            lightX /= lightNorm; lightY /= lightNorm;
            float lightZ = 1 / lightNorm;
            // Half vector between the light and the viewer (both at the camera, looking down -z).
            float halfX = lightX, halfY = lightY, halfZ = lightZ + 1;
            float halfNorm = MathF.Sqrt(halfX * halfX + halfY * halfY + halfZ * halfZ);
            halfX /= halfNorm; halfY /= halfNorm; halfZ /= halfNorm;
            float vignette = Uniform(0.25f, 0.5f);
            float centreX = _w / 2f, centreY = _h / 2f, corner2 = centreX * centreX + centreY * centreY;

            for (int y = 0; y < _h; y++)
                for (int x = 0; x < _w; x++)
                {
                    int i = y * _w + x;
                    float view = _fieldOfView[i];
                    if (view <= 0) { _red[i] = _green[i] = _blue[i] = 0.01f; continue; }
                    int xl = Math.Max(x - 1, 0), xr = Math.Min(x + 1, _w - 1), yu = Math.Max(y - 1, 0), yd = Math.Min(y + 1, _h - 1);
                    float gx = (_height[y * _w + xr] - _height[y * _w + xl]) / (xr - xl);
                    float gy = (_height[yd * _w + x] - _height[yu * _w + x]) / (yd - yu);

                    // The tube wall rises towards the camera away from the lumen: its normal leans towards the lumen,
                    // steeply near the far end.
                    float dx = x - _lumenX, dy = y - _lumenY;
                    float r = MathF.Sqrt(dx * dx + dy * dy) + 1e-3f;
                    float tilt = wallTilt + nearTilt * _lumenRadius / (r + _lumenRadius);
                    gx += tilt * dx / r;
                    gy += tilt * dy / r;
                    float normalNorm = MathF.Sqrt(gx * gx + gy * gy + 1);
                    float nx = -gx / normalNorm, ny = -gy / normalNorm, nz = 1 / normalNorm;

                    float diffuse = MathF.Max(0, nx * lightX + ny * lightY + nz * lightZ);
                    float depth = Raster.Smoothstep(_lumenRadius * (0.6f + 0.3f * lumenEdge[i]), brightRadius, r);
                    float light = exposure * (0.03f + 0.97f * depth) * (ambient + (1 - ambient) * diffuse) * (1 + _height[i] * 0.004f);
                    float wet = Raster.Smoothstep(0.1f, 0.5f, wetness[i] + wetBias);
                    float facing = nx * halfX + ny * halfY + nz * halfZ;
                    // Below 0.8 the highlight is under 1.2% at the lowest shininess: skip the power.
                    float highlight = facing > 0.8f ? specular * wet * depth * MathF.Pow(facing, shininess) : 0;
                    float fx = x - centreX, fy = y - centreY;
                    float falloff = view * (1 - vignette * (fx * fx + fy * fy) / corner2);
                    _red[i] = (_red[i] * light + highlight) * falloff;
                    _green[i] = (_green[i] * light + highlight * 0.98f) * falloff;
                    _blue[i] = (_blue[i] * light + highlight * 0.95f) * falloff;
                }
        }

        /// <summary>Grey blocks on the black panel, standing in for the processor's on-screen text.</summary>
        void DrawInfoPanel()
        {
            int lines = _random.Next(3, 8);
            float grey = Uniform(0.55f, 0.85f);
            for (int line = 0; line < lines; line++)
            {
                int top = (int)(_h * 0.05f) + line * _random.Next(18, 30);
                int left = _random.Next(6, 20), characters = _random.Next(4, 14);
                for (int c = 0; c < characters; c++)
                {
                    if (_random.NextDouble() < 0.15) continue;
                    int x0 = left + c * 8;
                    for (int y = top; y < Math.Min(_h, top + 10); y++)
                        for (int x = x0; x < x0 + 5 && x < _w; x++)
                            if (_fieldOfView[y * _w + x] < 0.01f && _random.NextDouble() < 0.75)
                            {
                                int i = y * _w + x;
                                _red[i] = _green[i] = _blue[i] = grey;
                            }
                }
            }
        }
    }
}
