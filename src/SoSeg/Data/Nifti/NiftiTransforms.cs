namespace SoSeg.Data.Nifti;

/// <summary>
/// 4 x 4 voxel-to-world affines (row-major double[4, 4]) and the NIfTI quaternion form, after nifti1_io.c's
/// nifti_quatern_to_mat44 and nifti_mat44_to_quatern.
/// </summary>
public static class NiftiTransforms
{
    public static double[,] Identity()
    {
        var a = new double[4, 4];
        for (int i = 0; i < 4; i++) a[i, i] = 1;
        return a;
    }

    /// <summary>Builds the qform affine: rotation of the unit quaternion (a, b, c, d) with a &gt;= 0, times diag(dx, dy, qfac * dz), plus the offsets.</summary>
    public static double[,] QuaternionToAffine(double b, double c, double d, double qx, double qy, double qz,
        double dx, double dy, double dz, int qfac)
    {
        double a = 1.0 - (b * b + c * c + d * d);
        if (a < 1e-7)
        {
            // Rounding pushed |(b, c, d)| to 1 or beyond: a 180 degree rotation; renormalise (b, c, d).
            double scale = 1.0 / Math.Sqrt(b * b + c * c + d * d);
            b *= scale;
            c *= scale;
            d *= scale;
            a = 0;
        }
        else a = Math.Sqrt(a);

        if (dx <= 0) dx = 1;
        if (dy <= 0) dy = 1;
        if (dz <= 0) dz = 1;
        if (qfac < 0) dz = -dz;

        var m = Identity();
        m[0, 0] = (a * a + b * b - c * c - d * d) * dx;
        m[0, 1] = 2 * (b * c - a * d) * dy;
        m[0, 2] = 2 * (b * d + a * c) * dz;
        m[1, 0] = 2 * (b * c + a * d) * dx;
        m[1, 1] = (a * a + c * c - b * b - d * d) * dy;
        m[1, 2] = 2 * (c * d - a * b) * dz;
        m[2, 0] = 2 * (b * d - a * c) * dx;
        m[2, 1] = 2 * (c * d + a * b) * dy;
        m[2, 2] = (a * a + d * d - c * c - b * b) * dz;
        m[0, 3] = qx;
        m[1, 3] = qy;
        m[2, 3] = qz;
        return m;
    }

    /// <summary>
    /// The quaternion (b, c, d), qfac and spacing of the rigid part of <paramref name="affine"/>: columns are
    /// normalised, made orthogonal by polar decomposition, and a negative determinant is moved into qfac.
    /// </summary>
    public static (double B, double C, double D, int QFac, double[] Spacing) AffineToQuaternion(double[,] affine)
    {
        var r = new double[3, 3];
        var spacing = new double[3];
        for (int col = 0; col < 3; col++)
        {
            double norm = Math.Sqrt(affine[0, col] * affine[0, col] + affine[1, col] * affine[1, col] + affine[2, col] * affine[2, col]);
            spacing[col] = norm > 0 ? norm : 1;
            for (int row = 0; row < 3; row++) r[row, col] = norm > 0 ? affine[row, col] / norm : (row == col ? 1 : 0);
        }
        r = Orthogonalise(r);

        int qfac = 1;
        if (Determinant3(r) < 0)
        {
            qfac = -1;
            for (int row = 0; row < 3; row++) r[row, 2] = -r[row, 2];
        }

        double a = r[0, 0] + r[1, 1] + r[2, 2] + 1, b, c, d;
        if (a > 0.5)
        {
            a = 0.5 * Math.Sqrt(a);
            b = 0.25 * (r[2, 1] - r[1, 2]) / a;
            c = 0.25 * (r[0, 2] - r[2, 0]) / a;
            d = 0.25 * (r[1, 0] - r[0, 1]) / a;
        }
        else
        {
            double xd = 1.0 + r[0, 0] - (r[1, 1] + r[2, 2]);
            double yd = 1.0 + r[1, 1] - (r[0, 0] + r[2, 2]);
            double zd = 1.0 + r[2, 2] - (r[0, 0] + r[1, 1]);
            if (xd > 1.0)
            {
                b = 0.5 * Math.Sqrt(xd);
                c = 0.25 * (r[0, 1] + r[1, 0]) / b;
                d = 0.25 * (r[0, 2] + r[2, 0]) / b;
                a = 0.25 * (r[2, 1] - r[1, 2]) / b;
            }
            else if (yd > 1.0)
            {
                c = 0.5 * Math.Sqrt(yd);
                b = 0.25 * (r[0, 1] + r[1, 0]) / c;
                d = 0.25 * (r[1, 2] + r[2, 1]) / c;
                a = 0.25 * (r[0, 2] - r[2, 0]) / c;
            }
            else
            {
                d = 0.5 * Math.Sqrt(zd);
                b = 0.25 * (r[0, 2] + r[2, 0]) / d;
                c = 0.25 * (r[1, 2] + r[2, 1]) / d;
                a = 0.25 * (r[1, 0] - r[0, 1]) / d;
            }
            if (a < 0)
            {
                b = -b;
                c = -c;
                d = -d;
            }
        }
        return (b, c, d, qfac, spacing);
    }

    /// <summary>
    /// The array axis (0, 1 or 2) that runs most nearly along the world's inferior-superior axis: the
    /// axis to slice along for axial images.
    /// </summary>
    public static int AxialAxis(double[,] affine)
    {
        int best = 2;
        double bestCosine = -1;
        for (int axis = 0; axis < 3; axis++)
        {
            double norm = Math.Sqrt(affine[0, axis] * affine[0, axis] + affine[1, axis] * affine[1, axis] + affine[2, axis] * affine[2, axis]);
            if (norm == 0) continue;
            double cosine = Math.Abs(affine[2, axis]) / norm;
            // Ties (oblique 45 degree cases) keep the later axis, which is the stored slice axis in most files.
            if (cosine >= bestCosine - 1e-9)
            {
                bestCosine = cosine;
                best = axis;
            }
        }
        return best;
    }

    /// <summary>Largest absolute difference between two 4 x 4 matrices.</summary>
    public static double MaxDifference(double[,] a, double[,] b)
    {
        double max = 0;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++) max = Math.Max(max, Math.Abs(a[r, c] - b[r, c]));
        return max;
    }

    static double Determinant3(double[,] m) =>
        m[0, 0] * (m[1, 1] * m[2, 2] - m[1, 2] * m[2, 1])
        - m[0, 1] * (m[1, 0] * m[2, 2] - m[1, 2] * m[2, 0])
        + m[0, 2] * (m[1, 0] * m[2, 1] - m[1, 1] * m[2, 0]);

    /// <summary>Nearest orthogonal matrix by the polar-decomposition iteration Q = (Q + Q^-T) / 2.</summary>
    static double[,] Orthogonalise(double[,] m)
    {
        var q = (double[,])m.Clone();
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double det = Determinant3(q);
            if (Math.Abs(det) < 1e-12) return m;
            // Inverse transpose = cofactor matrix / det.
            var it = new double[3, 3];
            it[0, 0] = (q[1, 1] * q[2, 2] - q[1, 2] * q[2, 1]) / det;
            it[0, 1] = (q[1, 2] * q[2, 0] - q[1, 0] * q[2, 2]) / det;
            it[0, 2] = (q[1, 0] * q[2, 1] - q[1, 1] * q[2, 0]) / det;
            it[1, 0] = (q[0, 2] * q[2, 1] - q[0, 1] * q[2, 2]) / det;
            it[1, 1] = (q[0, 0] * q[2, 2] - q[0, 2] * q[2, 0]) / det;
            it[1, 2] = (q[0, 1] * q[2, 0] - q[0, 0] * q[2, 1]) / det;
            it[2, 0] = (q[0, 1] * q[1, 2] - q[0, 2] * q[1, 1]) / det;
            it[2, 1] = (q[0, 2] * q[1, 0] - q[0, 0] * q[1, 2]) / det;
            it[2, 2] = (q[0, 0] * q[1, 1] - q[0, 1] * q[1, 0]) / det;
            double change = 0;
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                {
                    double next = 0.5 * (q[r, c] + it[r, c]);
                    change = Math.Max(change, Math.Abs(next - q[r, c]));
                    q[r, c] = next;
                }
            if (change < 1e-12) break;
        }
        return q;
    }
}
