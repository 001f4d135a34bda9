// Test classes run one after another: layers draw their initial weights from libtorch's one global generator (TorchSharp's
// layer constructors take no generator), so a seeded model build is only repeatable while no other test draws from it.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
