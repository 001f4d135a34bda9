using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SoSeg.Training.Optimization;

/// <summary>
/// AdamW with every parameter, gradient and moment as a view into one contiguous buffer per
/// (dtype, device, step count): a step is nine element-wise kernels per buffer instead of nine per
/// parameter tensor (a 178 M-parameter SoSegFormer has ~900 of them). Same arithmetic, in the same
/// order, as TorchSharp's AdamW, and the same state object: a checkpoint's optimizer state is
/// written and read by TorchSharp's AdamW, so checkpoints from either implementation resume with the other.
/// </summary>
/// <remarks>
/// Like TorchSharp's AdamW, a parameter is updated only once it has had a gradient (parameters no
/// loss ever reaches are neither decayed nor counted). Parameters join the buffers at the first step
/// that finds them with a gradient; after that, backward accumulates straight into their gradient
/// views. Parameters whose step counts differ (restored state) sit in separate buffers, because the
/// bias correction depends on the count.
/// </remarks>
public sealed class FlatAdamW : ITrainingOptimizer
{
    readonly AdamW _adamW;
    readonly Parameter[] _parameters;
    readonly AdamW.State[] _states;
    readonly AdamW.Options _options;
    readonly bool[] _bound;
    List<Bucket> _buckets = [];

    /// <summary>
    /// On the CPU the update runs over 128 Ki-element slices: each slice's nine passes stay in the L2
    /// cache (a whole 178 M-element buffer would go to memory nine times). On a GPU one slice is the whole buffer.
    /// </summary>
    const long CpuChunk = 1 << 17;

    public FlatAdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double weightDecay)
    {
        _parameters = parameters.ToArray();
        _adamW = optim.AdamW(_parameters, lr: lr, beta1: beta1, beta2: beta2, weight_decay: weightDecay);
        _states = _adamW.state_dict().State.Cast<AdamW.State>().ToArray();
        _options = (AdamW.Options)_adamW.state_dict().Options.Single();
        _bound = new bool[_parameters.Length];
    }

    public double LearningRate { set { foreach (var group in _adamW.ParamGroups) group.LearningRate = value; } }

    public OptimizerHelper State => _adamW;

    /// <summary>Number of flat buffers the last step used (one per dtype and device in a plain run).</summary>
    public int BufferCount => _buckets.Count;

    public void ZeroGrad()
    {
        foreach (var bucket in _buckets) bucket.Grads.zero_();
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_bound[i]) continue;
            using var grad = _parameters[i].grad;
            grad?.zero_();
        }
    }

    public void Step()
    {
        if (LayoutIsStale()) Layout();
        double lr = _options.LearningRate!.Value, beta1 = _options.beta1!.Value, beta2 = _options.beta2!.Value;
        double eps = _options.eps!.Value, weightDecay = _options.weight_decay!.Value;
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var bucket in _buckets)
        {
            bucket.Step++;
            foreach (int i in bucket.Members) _states[i].step = bucket.Step;
            double biasCorrection1 = 1 - Math.Pow(beta1, bucket.Step);
            double biasCorrection2 = 1 - Math.Pow(beta2, bucket.Step);
            long total = bucket.Params.numel();
            long chunk = bucket.Params.device.type == DeviceType.CPU ? CpuChunk : total;
            for (long start = 0; start < total; start += chunk)
            {
                long n = Math.Min(chunk, total - start);
                using var parameters = bucket.Params.narrow(0, start, n);
                using var grads = bucket.Grads.narrow(0, start, n);
                using var expAvg = bucket.ExpAvg.narrow(0, start, n);
                using var expAvgSq = bucket.ExpAvgSq.narrow(0, start, n);
                // The per-tensor AdamW's operations in its order, so results agree to the last bit on the CPU.
                parameters.mul_(1 - lr * weightDecay);
                expAvg.mul_(beta1).add_(grads, alpha: 1 - beta1);
                expAvgSq.mul_(beta2).addcmul_(grads, grads, value: 1 - beta2);
                using var denominator = expAvgSq.sqrt();
                denominator.div_(Math.Sqrt(biasCorrection2)).add_(eps);
                parameters.addcdiv_(expAvg, denominator, value: -lr / biasCorrection1);
            }
        }
    }

    /// <summary>A parameter got its first gradient, or restored state changed step counts.</summary>
    bool LayoutIsStale()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_bound[i]) continue;
            using var grad = _parameters[i].grad;
            if (grad is not null) return true;
        }
        foreach (var bucket in _buckets)
            foreach (int i in bucket.Members)
                if (_states[i].step != bucket.Step) return true;
        return false;
    }

    /// <summary>Copies every parameter that has a gradient, with its gradient and moments, into fresh buffers and makes them views of those.</summary>
    void Layout()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var active = new List<int>();
        for (int i = 0; i < _parameters.Length; i++)
        {
            using var grad = _parameters[i].grad;
            if (grad is not null) active.Add(i);
        }
        var buckets = new List<Bucket>();
        foreach (var group in active.GroupBy(i => (_parameters[i].dtype, _parameters[i].device.type, _parameters[i].device.index, _states[i].step)))
        {
            int[] members = group.ToArray();
            long total = members.Sum(i => _parameters[i].numel());
            var first = _parameters[members[0]];
            Tensor Buffer() => zeros(total, dtype: first.dtype, device: first.device).DetachFromDisposeScope();
            var bucket = new Bucket(members, Buffer(), Buffer(), Buffer(), Buffer(), group.Key.step);
            long offset = 0;
            foreach (int i in members)
            {
                var parameter = _parameters[i];
                var state = _states[i];
                long n = parameter.numel();
                Tensor View(Tensor flat) => flat.narrow(0, offset, n).view(parameter.shape);

                var data = View(bucket.Params);
                data.copy_(parameter);
                parameter.set_(data);
                var gradient = View(bucket.Grads);
                using (var grad = parameter.grad) gradient.copy_(grad!);
                parameter.grad = gradient;
                state.exp_avg = Move(state.exp_avg, View(bucket.ExpAvg));
                state.exp_avg_sq = Move(state.exp_avg_sq, View(bucket.ExpAvgSq));
                _bound[i] = true;
                offset += n;
            }
            buckets.Add(bucket);
        }
        foreach (var old in _buckets) old.Dispose();
        _buckets = buckets;
    }

    static Tensor Move(Tensor from, Tensor to)
    {
        to.copy_(from);
        from.Dispose();
        return to.DetachFromDisposeScope();
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets) bucket.Dispose();
        _buckets = [];
        _adamW.Dispose();
    }

    sealed class Bucket(int[] members, Tensor parameters, Tensor grads, Tensor expAvg, Tensor expAvgSq, long step) : IDisposable
    {
        public int[] Members { get; } = members;
        public Tensor Params { get; } = parameters;
        public Tensor Grads { get; } = grads;
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpAvgSq { get; } = expAvgSq;
        public long Step { get; set; } = step;

        public void Dispose()
        {
            Params.Dispose();
            Grads.Dispose();
            ExpAvg.Dispose();
            ExpAvgSq.Dispose();
        }
    }
}
