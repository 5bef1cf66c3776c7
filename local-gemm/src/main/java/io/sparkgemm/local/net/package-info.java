/**
 * Networks of linear layers on one block: {@link io.sparkgemm.local.net.Network} (the shapes and
 * activations), {@link io.sparkgemm.local.net.Activation} (the nonlinearities and their
 * derivatives), {@link io.sparkgemm.local.net.Theta} (θ, the parameters as one float64 vector,
 * and the one place that knows its layout), {@link io.sparkgemm.local.net.NetworkParams} (θ
 * unpacked per layer in the pass's dtype),
 * {@link io.sparkgemm.local.net.NetworkKernels} (forward and backward through the layers),
 * {@link io.sparkgemm.local.net.NetworkGradient} (the float64 sums of the flat gradient) and
 * {@link io.sparkgemm.local.net.NetworkInit} (seeded initial θ). The one-layer network is the
 * linear layer of {@link io.sparkgemm.local.LinearKernels}, bit for bit.
 */
package io.sparkgemm.local.net;
