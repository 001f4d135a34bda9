namespace SoSeg.Models.SoSegFormer;

/// <summary>Which features feed the cross-scale links.</summary>
public enum CrossScaleMode
{
    /// <summary>The paper's eq. (1): R'_t = R_t + sum over b &lt; t of f_bt(R_b), every source un-instructed.</summary>
    Parallel,

    /// <summary>
    /// The authors' code: branches are visited in order and each link reads the already instructed
    /// R'_b, so earlier contributions reach later stages through every intermediate branch as well.
    /// </summary>
    Cascade,
}
