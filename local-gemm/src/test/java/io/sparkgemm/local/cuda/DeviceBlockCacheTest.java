package io.sparkgemm.local.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LRU eviction under a byte budget, with a fake allocator: runs without a GPU. */
class DeviceBlockCacheTest {

  /** Allocations are their sizes, tagged; frees are recorded; fails above a device limit. */
  static final class FakeDevice implements DeviceBlockCache.Allocator<String> {
    final List<String> freed = new ArrayList<>();
    long deviceFree;
    int next;

    FakeDevice(long deviceFree) {
      this.deviceFree = deviceFree;
    }

    @Override
    public String allocate(long bytes) {
      if (bytes > deviceFree) {
        throw new IllegalStateException("out of device memory");
      }
      deviceFree -= bytes;
      return "m" + next++ + ":" + bytes;
    }

    @Override
    public void free(String memory) {
      freed.add(memory);
      deviceFree += Long.parseLong(memory.substring(memory.indexOf(':') + 1));
    }
  }

  @Test
  void missThenAdmitThenHit() {
    FakeDevice device = new FakeDevice(1000);
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(device, 100);
    assertThat(cache.acquire("x0")).isNull();
    String m = cache.admit("x0", 40);
    assertThat(m).isEqualTo("m0:40");
    cache.release("x0");
    assertThat(cache.acquire("x0")).isEqualTo("m0:40");
    cache.release("x0");
    assertThat(cache.stats()).isEqualTo(
        new DeviceBlockCache.Stats(1, 1, 1, 0, 0, 40, 1, 100));
  }

  @Test
  void evictsTheLeastRecentlyUsedFirst() {
    FakeDevice device = new FakeDevice(1000);
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(device, 100);
    for (String key : List.of("a", "b", "c")) {
      cache.admit(key, 30);
      cache.release(key);
    }
    cache.acquire("a");       // a is now the most recently used: b is the eldest
    cache.release("a");
    assertThat(cache.admit("d", 30)).isNotNull();
    cache.release("d");
    assertThat(device.freed).containsExactly("m1:30");
    assertThat(cache.contains("b")).isFalse();
    assertThat(cache.contains("a")).isTrue();
    assertThat(cache.stats().residentBytes()).isEqualTo(90);
    // 50 more bytes need two evictions: c, then a (d is newest)
    cache.admit("e", 50);
    cache.release("e");
    assertThat(device.freed).containsExactly("m1:30", "m2:30", "m0:30");
    assertThat(cache.stats().evictions()).isEqualTo(3);
    assertThat(cache.stats().residentBytes()).isEqualTo(80);
  }

  @Test
  void pinnedBlocksAreNeverEvictedAndRefusalEvictsNothing() {
    FakeDevice device = new FakeDevice(1000);
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(device, 100);
    cache.admit("a", 60);            // pinned
    cache.admit("b", 30);
    cache.release("b");
    assertThat(cache.admit("c", 50)).as("60 pinned + 50 > 100").isNull();
    assertThat(cache.contains("b")).as("a refused admission evicts nothing").isTrue();
    assertThat(cache.admit("c", 40)).isNotNull();   // evicts b, keeps pinned a
    assertThat(device.freed).containsExactly("m1:30");
    assertThat(cache.stats().refused()).isEqualTo(1);
  }

  @Test
  void blocksLargerThanTheBudgetAreRefused() {
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(new FakeDevice(1000), 100);
    assertThat(cache.admit("big", 101)).isNull();
    assertThat(new DeviceBlockCache<String, String>(new FakeDevice(1000), 0).admit("x", 1))
        .as("budget 0 keeps nothing").isNull();
  }

  @Test
  void aFullDeviceRefusesInsteadOfFailing() {
    FakeDevice device = new FakeDevice(50);
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(device, 100);
    assertThat(cache.admit("a", 60)).isNull();
    assertThat(cache.stats().refused()).isEqualTo(1);
    assertThat(cache.stats().residentBytes()).isZero();
  }

  @Test
  void loweringTheBudgetEvictsDownToIt() {
    FakeDevice device = new FakeDevice(1000);
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(device, 100);
    for (String key : List.of("a", "b", "c")) {
      cache.admit(key, 30);
      cache.release(key);
    }
    cache.setBudget(35);
    assertThat(device.freed).containsExactly("m0:30", "m1:30");
    assertThat(cache.stats().budgetBytes()).isEqualTo(35);
    cache.clear();
    assertThat(cache.stats().residentBlocks()).isZero();
    assertThat(device.deviceFree).isEqualTo(1000);
  }

  @Test
  void misuseIsReported() {
    DeviceBlockCache<String, String> cache = new DeviceBlockCache<>(new FakeDevice(1000), 100);
    assertThatThrownBy(() -> cache.release("nope")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Block nope is not pinned");
    cache.admit("a", 10);
    assertThatThrownBy(() -> cache.admit("a", 10)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already resident");
    assertThatThrownBy(() -> cache.setBudget(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got -1");
    cache.release("a");
    cache.invalidate("a");
    assertThat(cache.contains("a")).isFalse();
  }
}
