/**
 * Networks of linear layers on one block: {@link io.sparkgemm.local.net.Network} (the shapes and
 * activations), {@link io.sparkgemm.local.net.NetworkParams} (θ unpacked per layer),
 * {@link io.sparkgemm.local.net.NetworkKernels} (forward and backward through the layers) and
 * {@link io.sparkgemm.local.net.NetworkGradient} (the float64 sums of the flat gradient).
 */
package io.sparkgemm.local.net;
