#!/usr/bin/env python3
"""torch.matmul on the shapes and dtypes GpuCheck times, for scripts/gpu-check.sh.

Prints one JSON object per line, with the same fields as GpuCheck's bench output:
gemm-device (device-resident y = x @ w), pass-device (the 20-block mse training pass with x and t
on the device: y = x w + b, g = 2 (y - t) / N, dW += xᵀ g, db += 1ᵀ g), and the host-to-device
copy rate of one pass's x and t from pinned and from pageable memory (copy-pinned, copy-pageable).
"""
import json
import time

import torch

SHAPES = [(4096, 512, 256), (16384, 4096, 4096), (200000, 512, 256)]


def emit(kind, dtype, n, d, k, reps, seconds, flops, moved):
    print(json.dumps({"impl": "torch " + torch.__version__, "kind": kind, "dtype": dtype,
                      "n": n, "d": d, "k": k, "reps": reps, "seconds": seconds,
                      "tflops": flops / seconds / 1e12, "gbps": moved / seconds / 1e9}),
          flush=True)


def timed(fn, reps):
    fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / reps


def gemms():
    for n, d, k in SHAPES:
        for mode in ("float64", "float32", "tf32"):
            torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
            dtype = torch.float64 if mode == "float64" else torch.float32
            x = torch.rand(n, d, dtype=dtype, device="cuda") * 2 - 1
            w = torch.rand(d, k, dtype=dtype, device="cuda") * 2 - 1
            flops = 2.0 * n * d * k
            reps = int(max(5, min(200, 2e13 / flops)))
            emit("gemm-device", mode, n, d, k, reps, timed(lambda: torch.matmul(x, w), reps),
                 flops, 0)
            del x, w
    torch.backends.cuda.matmul.allow_tf32 = False


def passes(n=200000, d=512, k=256, blocks=20):
    rows = n // blocks
    for mode in ("float64", "float32"):
        dtype = torch.float64 if mode == "float64" else torch.float32
        xs = [torch.rand(rows, d, dtype=dtype, device="cuda") for _ in range(blocks)]
        ts = [torch.rand(rows, k, dtype=dtype, device="cuda") for _ in range(blocks)]
        w = torch.rand(d, k, dtype=dtype, device="cuda")
        b = torch.zeros(k, dtype=dtype, device="cuda")

        def one_pass():
            dw = torch.zeros(d, k, dtype=dtype, device="cuda")
            db = torch.zeros(k, dtype=dtype, device="cuda")
            loss = torch.zeros((), dtype=dtype, device="cuda")
            for x, t in zip(xs, ts):
                y = torch.addmm(b, x, w)
                g = (y - t) * (2.0 / n)
                loss += (g * g).sum()
                dw.addmm_(x.t(), g)
                db += g.sum(0)
            return dw.cpu(), db.cpu(), loss.item()

        emit("pass-device", mode, n, d, k, 3, timed(one_pass, 3), 4.0 * n * d * k, 0)
        moved = sum(x.numel() + t.numel() for x, t in zip(xs, ts)) * xs[0].element_size()
        for kind, pin in (("copy-pinned", True), ("copy-pageable", False)):
            host = [(x.cpu().pin_memory() if pin else x.cpu(), t.cpu().pin_memory() if pin
                     else t.cpu()) for x, t in zip(xs, ts)]

            def copy_all():
                for hx, ht in host:
                    hx.to("cuda", non_blocking=pin)
                    ht.to("cuda", non_blocking=pin)

            emit(kind, mode, n, d, k, 3, timed(copy_all, 3), 0, moved)
            del host
        del xs, ts


if __name__ == "__main__":
    if not torch.cuda.is_available():
        raise SystemExit("gpu_bench_torch: torch sees no CUDA device")
    gemms()
    passes()
