package io.sparkgemm.spark.pass;

import io.sparkgemm.local.backend.BackendOptions;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The CUDA device Spark's resource scheduling gave the running task ("gpu" addresses). */
final class GpuResources {
  private GpuResources() {
  }

  /**
   * The options with the device set to the task's first "gpu" address, when there is a task and
   * it has one (spark.task.resource.gpu.amount set); otherwise the options as they are.
   */
  static BackendOptions forTask(BackendOptions options) {
    TaskContext task = TaskContext.get();
    ResourceInformation gpu = task == null ? null : task.resourcesJMap().get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return options;
    }
    try {
      return options.withDevice(Integer.parseInt(gpu.addresses()[0].trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Spark gave this task GPU address '"
          + gpu.addresses()[0] + "', expected a CUDA device ordinal (check the GPU discovery "
          + "script)", e);
    }
  }
}
