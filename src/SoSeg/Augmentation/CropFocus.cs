namespace SoSeg.Augmentation;

/// <summary>
/// What a training sampler decided for one sample's crop before the pipeline plans it: centred on an object of
/// <see cref="Class"/>, or placed uniformly (null). Given for a batch, it replaces the pipeline's own draw of which
/// crops go onto objects (<see cref="AugmentationOptions.OversampleForeground"/>), because the sampler already chose
/// the sample for that object (a slice of a volume that holds the class, as nnU-Net's 2-D sampler does).
/// </summary>
public readonly record struct CropFocus(byte? Class)
{
    /// <summary>A crop placed uniformly, as without oversampling.</summary>
    public static CropFocus Uniform => new(null);

    /// <summary>A crop centred on an object of class index <paramref name="classIndex"/>.</summary>
    public static CropFocus OnClass(byte classIndex) => new(classIndex);
}
