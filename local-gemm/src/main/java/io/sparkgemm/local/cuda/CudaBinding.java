package io.sparkgemm.local.cuda;

/**
 * One loaded CUDA + cuBLAS binding (JavaCPP for CUDA 13, JCublas for CUDA 12), once per JVM.
 * Implementations are loaded only by {@link CudaLoader}, after it has checked that their jars are
 * on the class path, so a JVM without CUDA never links them.
 */
interface CudaBinding {

  /** Short binding name for the backend line, e.g. {@code JavaCPP org.bytedeco:cuda 13.1-...}. */
  String binding();

  /** Runtime, driver and cuBLAS versions as the libraries report them. */
  String versions();

  /** The shared library files the process mapped for cuBLAS, or the binding's best guess. */
  String library();

  int deviceCount();

  /** {@code NVIDIA H200 (139 GiB)} */
  String deviceName(int device);

  /**
   * A new lane (cuBLAS handle, compute and copy streams) on {@code device}, for the calling
   * thread. Float32 GEMMs use TF32 tensor cores only when {@code allowTf32}.
   */
  CudaLane openLane(int device, boolean allowTf32);
}
