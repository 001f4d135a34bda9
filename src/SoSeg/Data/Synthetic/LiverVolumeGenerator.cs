using SoSeg.Data.Nifti;
using SoSeg.Monitoring;

namespace SoSeg.Data.Synthetic;

/// <summary>
/// Synthetic contrast-enhanced T1 abdominal MRI volumes with liver and small tumours, laid out like the ATLAS
/// release (imagesTr/imN.nii.gz, labelsTr/lbN.nii.gz; labels 0 background, 1 liver, 2 tumour) plus imagesTs/
/// labelsTs for the 20% test cases and a dataset.json. Each volume has a body outline with subcutaneous fat,
/// spine, aorta, kidneys, spleen and stomach as distractors, a lobed liver (ellipsoids deformed by smooth
/// noise) with bright portal/hepatic vessels, 0-3 tumours of 3-15 mm radius, hypo- or hyper-intense, some with
/// a capsule, then partial-volume blur, a smooth multiplicative bias field and Rician noise. Geometry is an
/// axial scanner grid (LPS-stored, RAS affine with sform and qform). The same seed gives the same bytes.
/// </summary>
public sealed class LiverVolumeGenerator : ISyntheticDatasetGenerator
{
    /// <param name="width">Voxels along x (left-right).</param>
    /// <param name="height">Voxels along y (anterior-posterior).</param>
    /// <param name="slices">Axial slices.</param>
    public LiverVolumeGenerator(int width = 160, int height = 160, int slices = 48)
    {
        if (width < 16 || height < 16 || slices < 4) throw new ArgumentException("Volumes need at least 16 x 16 x 4 voxels.");
        Width = width;
        Height = height;
        Slices = slices;
    }

    public string Kind => "liver";
    public string Description => "3-D MRI-like liver volumes with 0-3 small tumours, ATLAS naming (imN/lbN.nii.gz; liver 1, tumour 2).";
    public int Width { get; }
    public int Height { get; }
    public int Slices { get; }

    public void Generate(string outputFolder, int count, int seed, IProgressTask? progress = null)
    {
        if (count < 1) throw new SoSegException($"Cannot generate {count} volumes; ask for at least 1.");
        // The folder's own output marker (written by the command that claimed it) is no content.
        if (Directory.Exists(outputFolder) && Directory.EnumerateFileSystemEntries(outputFolder).Any(e => Path.GetFileName(e) != IO.OutputFolder.MarkerName))
            throw new SoSegException($"{outputFolder}: folder is not empty; generate into a new or empty folder.");
        var manifest = new DatasetManifest
        {
            Name = "SyntheticLiver",
            Description = $"Synthetic contrast-enhanced T1 liver MRI, ATLAS-like naming; seed {seed}, {Width} x {Height} x {Slices} voxels.",
            Modality = "MRI",
            ChannelNames = ["T1"],
            Labels = [new("background", 0), new("liver", 1), new("tumour", 2)],
        };
        SyntheticDatasetWriter.WriteCases(outputFolder, count, manifest, ".nii.gz", (index, training) =>
        {
            var (image, labels) = Synthesize(seed, index);
            NiftiWriter.Write(Path.Combine(outputFolder, training ? "imagesTr" : "imagesTs", $"im{index}.nii.gz"), image);
            NiftiWriter.Write(Path.Combine(outputFolder, training ? "labelsTr" : "labelsTs", $"lb{index}.nii.gz"), labels);
        }, progress, emptyTestFolders: false);
    }

    /// <summary>One volume and its labels; depends only on (seed, index) and the size.</summary>
    public (NiftiImage Image, NiftiImage Labels) Synthesize(int seed, int index)
    {
        var random = new Random(unchecked(seed * 1_000_003 + index * 7919 + 17));
        var anatomy = Anatomy.Sample(random, Width, Height, Slices);
        int nx = Width, ny = Height, nz = Slices;
        var intensity = new float[nx * ny * nz];
        var labels = new byte[nx * ny * nz];
        for (int z = 0; z < nz; z++)
        {
            double w = (z - (nz - 1) / 2.0) * anatomy.SliceThickness;
            for (int y = 0; y < ny; y++)
            {
                double v = (y - (ny - 1) / 2.0) * anatomy.PixelSpacing;
                for (int x = 0; x < nx; x++)
                {
                    double u = (x - (nx - 1) / 2.0) * anatomy.PixelSpacing;
                    int p = x + nx * (y + ny * z);
                    (intensity[p], labels[p]) = anatomy.Tissue(u, v, w);
                }
            }
        }
        PartialVolumeBlur(intensity, nx, ny, nz);
        AcquisitionEffects(intensity, anatomy, random, nx, ny, nz);

        var affine = anatomy.Affine(nx, ny, nz);
        var image = NiftiImage.Create(intensity, [nx, ny, nz], NiftiDataType.Int16, affine);
        image.Header.Description = "SoSeg synthetic liver MRI";
        var labelImage = NiftiImage.Create(labels, [nx, ny, nz], affine);
        labelImage.Header.IntentCode = 1002; // NIFTI_INTENT_LABEL
        return (image, labelImage);
    }

    /// <summary>In-plane 3 x 3 box blur: edges get the mixed intensities of partial-volume voxels (labels stay sharp).</summary>
    static void PartialVolumeBlur(float[] values, int nx, int ny, int nz)
    {
        var row = new float[nx];
        var plane = new float[nx * ny];
        for (int z = 0; z < nz; z++)
        {
            var slice = values.AsSpan(z * nx * ny, nx * ny);
            for (int y = 0; y < ny; y++)
            {
                var line = slice.Slice(y * nx, nx);
                for (int x = 0; x < nx; x++)
                    row[x] = (line[Math.Max(x - 1, 0)] + line[x] + line[Math.Min(x + 1, nx - 1)]) / 3f;
                row.CopyTo(plane.AsSpan(y * nx, nx));
            }
            for (int y = 0; y < ny; y++)
            {
                int up = Math.Max(y - 1, 0) * nx, down = Math.Min(y + 1, ny - 1) * nx, mid = y * nx;
                for (int x = 0; x < nx; x++) slice[mid + x] = (plane[up + x] + plane[mid + x] + plane[down + x]) / 3f;
            }
        }
    }

    /// <summary>Smooth multiplicative bias field, then Rician noise (magnitude of a complex signal with Gaussian noise).</summary>
    static void AcquisitionEffects(float[] values, Anatomy anatomy, Random random, int nx, int ny, int nz)
    {
        double sigma = anatomy.NoiseSigma;
        var b = anatomy.Bias;
        for (int z = 0; z < nz; z++)
        {
            double zn = 2.0 * z / Math.Max(nz - 1, 1) - 1;
            for (int y = 0; y < ny; y++)
            {
                double yn = 2.0 * y / (ny - 1) - 1;
                for (int x = 0; x < nx; x++)
                {
                    double xn = 2.0 * x / (nx - 1) - 1;
                    double bias = Math.Exp(b[0] * xn + b[1] * yn + b[2] * zn + b[3] * xn * xn + b[4] * yn * yn + b[5] * xn * yn);
                    int p = x + nx * (y + ny * z);
                    double signal = values[p] * bias;
                    double real = signal + sigma * Gaussian(random), imaginary = sigma * Gaussian(random);
                    values[p] = (float)Math.Min(Math.Sqrt(real * real + imaginary * imaginary), short.MaxValue);
                }
            }
        }
    }

    static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>An ellipsoid rotated about the body's long axis; Field is 1 at the centre, 0 on the surface.</summary>
    readonly record struct Ellipsoid(double U, double V, double W, double Ru, double Rv, double Rw, double Angle = 0)
    {
        readonly double _cos = Math.Cos(Angle), _sin = Math.Sin(Angle);

        public double Field(double u, double v, double w)
        {
            double du = u - U, dv = v - V, dw = w - W;
            if (Angle != 0) (du, dv) = (_cos * du + _sin * dv, -_sin * du + _cos * dv);
            du /= Ru;
            dv /= Rv;
            dw /= Rw;
            return 1 - (du * du + dv * dv + dw * dw);
        }
    }

    /// <summary>A tube around a segment (a vessel).</summary>
    readonly record struct Tube(double U0, double V0, double W0, double U1, double V1, double W1, double Radius)
    {
        public bool Contains(double u, double v, double w)
        {
            double du = U1 - U0, dv = V1 - V0, dw = W1 - W0;
            double t = ((u - U0) * du + (v - V0) * dv + (w - W0) * dw) / (du * du + dv * dv + dw * dw);
            t = Math.Clamp(t, 0, 1);
            double eu = u - (U0 + t * du), ev = v - (V0 + t * dv), ew = w - (W0 + t * dw);
            return eu * eu + ev * ev + ew * ew <= Radius * Radius;
        }
    }

    /// <summary>A tumour: ellipsoid, intensity relative to liver, optional capsule thickness (mm).</summary>
    readonly record struct Tumour(Ellipsoid Shape, double Contrast, double Capsule);

    /// <summary>Randomly drawn anatomy and acquisition of one volume (all lengths in mm, origin at the volume centre).</summary>
    sealed class Anatomy
    {
        public double PixelSpacing, SliceThickness, NoiseSigma;
        public double[] Bias = new double[6];
        double _bodyA, _bodyB, _bodyTaper, _fat, _wall, _visceralSignal;
        double _fatSignal, _muscleSignal, _liverSignal, _vesselSignal, _spleenSignal, _kidneySignal, _boneSignal, _marrowSignal, _stomachSignal, _aortaSignal;
        Ellipsoid _spine, _marrow, _aorta, _kidneyLeft, _kidneyRight, _spleen, _stomach, _psoasLeft, _psoasRight;
        Ellipsoid[] _liver = [];
        (double Ku, double Kv, double Kw, double Phase, double Amplitude)[] _waves = [], _bowel = [];
        Tube[] _vessels = [];
        Tumour[] _tumours = [];
        double _liverMinW, _liverMaxW;

        public static Anatomy Sample(Random r, int nx, int ny, int nz)
        {
            var a = new Anatomy();
            double fov = Uniform(r, 340, 400);
            a.PixelSpacing = fov / Math.Max(nx, ny);
            // A 200-240 mm slab whatever the slice count: the liver (about 150 mm) fills most slices, not all.
            a.SliceThickness = Uniform(r, 200, 240) / nz;
            a._bodyA = Uniform(r, 0.38, 0.45) * fov;
            a._bodyB = a._bodyA * Uniform(r, 0.65, 0.78);
            a._bodyTaper = Uniform(r, -0.0008, 0.0008);
            a._fat = Uniform(r, 8, 22);
            a._wall = Uniform(r, 6, 12);

            double liver = Uniform(r, 560, 680);
            a._liverSignal = liver;
            a._fatSignal = liver * Uniform(r, 1.35, 1.6);
            a._muscleSignal = liver * Uniform(r, 0.55, 0.7);
            a._vesselSignal = liver * Uniform(r, 1.45, 1.8);
            a._spleenSignal = liver * Uniform(r, 0.85, 1.0);
            a._kidneySignal = liver * Uniform(r, 1.05, 1.3);
            a._boneSignal = liver * 0.2;
            a._marrowSignal = liver * Uniform(r, 0.75, 0.9);
            a._stomachSignal = liver * Uniform(r, 0.3, 0.9);
            a._aortaSignal = liver * Uniform(r, 1.5, 1.9);
            a._visceralSignal = liver * Uniform(r, 0.6, 0.8);

            double b = a._bodyB;
            a._spine = new Ellipsoid(Uniform(r, -5, 5), 0.62 * b, 0, 18, 16, 1e6);
            a._marrow = a._spine with { Ru = 13, Rv = 11 };
            a._aorta = new Ellipsoid(Uniform(r, 10, 22), 0.38 * b, 0, 11, 11, 1e6);
            double kidneyW = Uniform(r, -60, -30);
            a._kidneyRight = new Ellipsoid(-0.42 * a._bodyA, 0.45 * b, kidneyW, 28, 22, 50, Uniform(r, -0.4, -0.2));
            a._kidneyLeft = new Ellipsoid(0.42 * a._bodyA, 0.45 * b, kidneyW + Uniform(r, 5, 20), 28, 22, 50, Uniform(r, 0.2, 0.4));
            a._spleen = new Ellipsoid(0.6 * a._bodyA, 0.2 * b, Uniform(r, 10, 40), 30, 45, 50, Uniform(r, 0.3, 0.7));
            a._psoasRight = new Ellipsoid(-0.22 * a._bodyA, 0.6 * b, -60, 18, 20, 70);
            a._psoasLeft = a._psoasRight with { U = 0.22 * a._bodyA };
            a._stomach = new Ellipsoid(0.3 * a._bodyA, -0.25 * b, Uniform(r, 10, 40), Uniform(r, 30, 50), Uniform(r, 25, 40), 45, Uniform(r, -0.5, 0.5));

            // Liver: a large right lobe, a left lobe reaching across the midline, a caudate bulge and a tip.
            double cu = -0.42 * a._bodyA, cv = Uniform(r, -0.15, 0.05) * b, cw = Uniform(r, -5, 15);
            a._liver =
            [
                new Ellipsoid(cu, cv, cw, Uniform(r, 70, 90), Uniform(r, 75, 95), Uniform(r, 65, 80), Uniform(r, -0.3, 0.3)),
                new Ellipsoid(cu + Uniform(r, 70, 95), cv - Uniform(r, 20, 40), cw + Uniform(r, 5, 25), Uniform(r, 55, 75), Uniform(r, 30, 45), Uniform(r, 35, 50), Uniform(r, -0.4, 0.1)),
                new Ellipsoid(cu + Uniform(r, 30, 45), cv + Uniform(r, 30, 50), cw + Uniform(r, -10, 10), Uniform(r, 25, 35), Uniform(r, 25, 35), Uniform(r, 30, 45)),
                new Ellipsoid(cu - Uniform(r, 0, 15), cv + Uniform(r, 10, 30), cw - Uniform(r, 50, 70), Uniform(r, 35, 50), Uniform(r, 40, 55), Uniform(r, 25, 35)),
            ];
            a._waves = Enumerable.Range(0, 6).Select(_ =>
            {
                double wavelength = Uniform(r, 60, 160), theta = Uniform(r, 0, Math.PI), phi = Uniform(r, 0, 2 * Math.PI);
                double k = 2 * Math.PI / wavelength;
                return (k * Math.Sin(theta) * Math.Cos(phi), k * Math.Sin(theta) * Math.Sin(phi), k * Math.Cos(theta), Uniform(r, 0, 2 * Math.PI), Uniform(r, 0.04, 0.09));
            }).ToArray();
            // Bowel loops and mesenteric fat give the rest of the abdomen a blotchy texture.
            a._bowel = Enumerable.Range(0, 5).Select(_ =>
            {
                double wavelength = Uniform(r, 25, 60), theta = Uniform(r, 0.3, Math.PI - 0.3), phi = Uniform(r, 0, 2 * Math.PI);
                double k = 2 * Math.PI / wavelength;
                return (k * Math.Sin(theta) * Math.Cos(phi), k * Math.Sin(theta) * Math.Sin(phi), k * Math.Cos(theta), Uniform(r, 0, 2 * Math.PI), Uniform(r, 0.05, 0.1));
            }).ToArray();
            a._liverMinW = a._liver.Min(e => e.W - e.Rw) - 15;
            a._liverMaxW = a._liver.Max(e => e.W + e.Rw) + 15;

            // Vessels branch from the hilum (portal vein) and run to the periphery and the dome (hepatic veins).
            double hu = cu + 35, hv = cv + 25, hw = cw - 10;
            a._vessels = Enumerable.Range(0, r.Next(4, 8)).Select(i =>
            {
                double angle = Uniform(r, 0, 2 * Math.PI), elevation = Uniform(r, -0.6, 0.9), length = Uniform(r, 40, 90);
                return new Tube(hu, hv, hw, hu + length * Math.Cos(angle) * Math.Cos(elevation), hv + length * Math.Sin(angle) * Math.Cos(elevation),
                    hw + length * Math.Sin(elevation), i == 0 ? Uniform(r, 5, 7) : Uniform(r, 1.8, 4));
            }).ToArray();

            int tumours = r.NextDouble() switch { < 0.15 => 0, < 0.5 => 1, < 0.8 => 2, _ => 3 };
            var placed = new List<Tumour>();
            for (int t = 0; t < tumours; t++)
                for (int attempt = 0; attempt < 300; attempt++)
                {
                    var main = a._liver[r.Next(a._liver.Length)];
                    double u = main.U + Uniform(r, -0.8, 0.8) * main.Ru, v = main.V + Uniform(r, -0.8, 0.8) * main.Rv, w = main.W + Uniform(r, -0.8, 0.8) * main.Rw;
                    double radius = 3 + 12 * Math.Pow(r.NextDouble(), 2); // most tumours are small
                    if (a.LiverField(u, v, w) < 0.2 + radius / 60) continue;
                    double contrast = r.NextDouble() < 0.65 ? -Uniform(r, 0.15, 0.5) : Uniform(r, 0.15, 0.4);
                    var shape = new Ellipsoid(u, v, w, radius * Uniform(r, 0.8, 1.2), radius * Uniform(r, 0.8, 1.2), radius * Uniform(r, 0.8, 1.2), Uniform(r, 0, Math.PI));
                    placed.Add(new Tumour(shape, contrast, r.NextDouble() < 0.4 ? Uniform(r, 1.2, 2.5) : 0));
                    break;
                }
            a._tumours = placed.ToArray();

            a.NoiseSigma = liver * Uniform(r, 0.02, 0.05);
            a.Bias = [Uniform(r, -0.2, 0.2), Uniform(r, -0.2, 0.2), Uniform(r, -0.1, 0.1), Uniform(r, -0.15, 0.15), Uniform(r, -0.15, 0.15), Uniform(r, -0.1, 0.1)];
            return a;
        }

        static double Uniform(Random r, double low, double high) => low + (high - low) * r.NextDouble();

        /// <summary>Liver implicit field: the union of its lobes, deformed by smooth noise; inside where &gt; 0.</summary>
        double LiverField(double u, double v, double w)
        {
            double field = double.NegativeInfinity;
            foreach (var lobe in _liver) field = Math.Max(field, lobe.Field(u, v, w));
            if (field < -0.6) return field;
            double noise = 0;
            foreach (var (ku, kv, kw, phase, amplitude) in _waves) noise += amplitude * Math.Sin(ku * u + kv * v + kw * w + phase);
            return field + noise;
        }

        /// <summary>Signal and label at a point.</summary>
        public (float Signal, byte Label) Tissue(double u, double v, double w)
        {
            double a = _bodyA * (1 + _bodyTaper * w), b = _bodyB * (1 + _bodyTaper * w);
            double body = 1 - (u / a) * (u / a) - (v / b) * (v / b);
            if (body <= 0) return (0, 0);
            double ia = a - _fat, ib = b - _fat;
            if (1 - (u / ia) * (u / ia) - (v / ib) * (v / ib) <= 0) return ((float)_fatSignal, 0);
            double ma = ia - _wall, mb = ib - _wall;
            if (1 - (u / ma) * (u / ma) - (v / mb) * (v / mb) <= 0) return ((float)_muscleSignal, 0);

            if (w >= _liverMinW && w <= _liverMaxW)
            {
                double liver = LiverField(u, v, w);
                if (liver > 0)
                {
                    foreach (var tumour in _tumours)
                    {
                        double field = tumour.Shape.Field(u, v, w);
                        if (field <= 0) continue;
                        // The capsule is a bright rim just inside the surface (field near 0).
                        double rimField = tumour.Capsule > 0 ? 2 * tumour.Capsule / tumour.Shape.Ru : 0;
                        double signal = field < rimField ? _liverSignal * 1.25 : _liverSignal * (1 + tumour.Contrast) * (0.92 + 0.08 * field);
                        return ((float)signal, 2);
                    }
                    foreach (var vessel in _vessels)
                        if (vessel.Contains(u, v, w)) return ((float)_vesselSignal, 1);
                    return ((float)_liverSignal, 1);
                }
            }
            if (_marrow.Field(u, v, w) > 0) return ((float)_marrowSignal, 0);
            if (_spine.Field(u, v, w) > 0) return ((float)_boneSignal, 0);
            if (_aorta.Field(u, v, w) > 0) return ((float)_aortaSignal, 0);
            if (_kidneyLeft.Field(u, v, w) > 0 || _kidneyRight.Field(u, v, w) > 0)
                return ((float)(_kidneySignal * (_kidneyLeft.Field(u, v, w) > 0.5 || _kidneyRight.Field(u, v, w) > 0.5 ? 0.8 : 1.0)), 0);
            if (_spleen.Field(u, v, w) > 0) return ((float)_spleenSignal, 0);
            if (_stomach.Field(u, v, w) > 0) return ((float)_stomachSignal, 0);
            if (_psoasLeft.Field(u, v, w) > 0 || _psoasRight.Field(u, v, w) > 0) return ((float)_muscleSignal, 0);
            double texture = 0;
            foreach (var (ku, kv, kw, phase, amplitude) in _bowel) texture += amplitude * Math.Sin(ku * u + kv * v + kw * w + phase);
            return ((float)(_visceralSignal * (1 + texture)), 0);
        }

        /// <summary>RAS affine of an LPS-stored axial grid centred on the volume, as scanners write it.</summary>
        public double[,] Affine(int nx, int ny, int nz) => new double[,]
        {
            { -PixelSpacing, 0, 0, PixelSpacing * (nx - 1) / 2.0 },
            { 0, -PixelSpacing, 0, PixelSpacing * (ny - 1) / 2.0 },
            { 0, 0, SliceThickness, -SliceThickness * (nz - 1) / 2.0 },
            { 0, 0, 0, 1 },
        };
    }
}
