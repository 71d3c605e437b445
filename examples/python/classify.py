#!/usr/bin/env python3
"""Classify a face photo with facekit's shipped ONNX file, without the toolkit.

    python3 examples/python/classify.py photo.jpg [x y size] [--models models] [--pixels]

Prints each task's label and probability. `photo_to_pixels` is the server's preprocessing
(@facekit/core's imageToPixels after sharp decodes the photo), operation for operation, so it gives
the grey levels the server gives, not just close ones: EXIF orientation applied, embedded colour
profile converted to sRGB, ITU-R 601 luma, transparency over white, the square (default: the centre
square) area-averaged to 48x48, rounded half up. Preprocessing needs only Pillow and numpy;
`load_models` and `classify` also need onnxruntime.
"""
import argparse
import io
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

SIDE = 48


def load_rgba(path):
    """The photo as an RGBA uint8 array [height, width, 4], upright and in sRGB, as the server decodes it."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        if icc and image.mode in ("RGB", "RGBA", "CMYK"):
            # sharp converts a photo with an embedded colour profile (Display P3, Adobe RGB...) to sRGB.
            from PIL import ImageCms

            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, profile, ImageCms.createProfile("sRGB"), outputMode=mode)
        if image.mode == "I" or image.mode.startswith("I;16"):  # 16-bit grey (mode I before Pillow 10)
            # convert() would clip it at 255; sharp keeps each value's high byte.
            image = Image.fromarray((np.asarray(image) >> 8).astype(np.uint8))
        return np.asarray(image.convert("RGBA"))


def area_taps(size):
    """Per output pixel, the source pixels (of `size`) it covers and their weight, coverage / scale."""
    scale = size / SIDE
    taps = []
    for o in range(SIDE):
        start = o * scale
        end = start + scale
        sources = range(math.floor(start), math.ceil(end - 1e-9))
        covered = [(s, min(end, s + 1) - max(start, s)) for s in sources]
        taps.append([(s, c / scale) for s, c in covered if c > 1e-9])
    return taps


def photo_to_pixels(rgba, square=None):
    """RGBA array -> 48x48 uint8 grey levels of the square (x, y, size); default the centre square."""
    height, width = rgba.shape[:2]
    if square is None:
        size = min(width, height)
        square = ((width - size) // 2, (height - size) // 2, size)  # margins rounded down
    x, y, size = square
    if min(x, y) < 0 or size < 1 or x + size > width or y + size > height:
        raise ValueError(f"square {square} is not inside the {width}x{height} photo")
    r, g, b, a = np.moveaxis(rgba[y : y + size, x : x + size].astype(np.float64), -1, 0)
    luma = 0.299 * r + 0.587 * g + 0.114 * b  # on the 8-bit sRGB values, no linearising
    grey = np.where(a == 255, luma, 255 + (luma - 255) * a / 255)  # over white, by alpha
    # Exact area average, rows then columns, each output's taps summed in the toolkit's order: the
    # same float64 operations in the same order (a matrix product differs by 1 at a few ties).
    taps = area_taps(size)
    rows = np.zeros((size, SIDE))
    for o, pixels in enumerate(taps):
        for s, w in pixels:
            rows[:, o] += grey[:, s] * w
    out = np.zeros((SIDE, SIDE))
    for o, pixels in enumerate(taps):
        for s, w in pixels:
            out[o] += rows[s] * w
    # Half up, as JavaScript's Math.round. Not round() or np.rint (half to even), nor floor(x + 0.5),
    # which turns 0.49999999999999994 (four pixels 1, 1, 0, 0) into 1.
    whole = np.floor(out)
    return np.clip(whole + (out - whole >= 0.5), 0, 255).astype(np.uint8)


def load_models(models="models"):
    """models/manifest.json and one onnxruntime session per ONNX file (the shipped tasks share one)."""
    import onnxruntime as ort

    manifest = json.loads((Path(models) / "manifest.json").read_text())["models"]
    files = {model["file"] for model in manifest.values()}
    return manifest, {file: ort.InferenceSession(str(Path(models) / file)) for file in files}


def classify(pixels, loaded):
    """48x48 grey levels -> {task: (label, probability, every label's probability)}."""
    manifest, sessions = loaded
    image = (pixels.astype(np.float32) / 255).reshape(1, SIDE, SIDE, 1)  # NHWC, grey / 255
    answers = {}
    for file, session in sessions.items():
        # One run of each file for all the tasks it answers (the shipped file: all three).
        tasks = {task: model for task, model in manifest.items() if model["file"] == file}
        input_name = next(iter(tasks.values()))["input"]["name"]
        outputs = session.run([model["output"]["name"] for model in tasks.values()], {input_name: image})
        for (task, model), (p,) in zip(tasks.items(), outputs):  # final probabilities
            best = int(p.argmax())
            answers[task] = (model["labels"][best], float(p[best]), p)
    return {task: answers[task] for task in manifest}  # in the manifest's order


def main():
    parser = argparse.ArgumentParser(description="Classify a face photo with the ONNX file in models/.")
    parser.add_argument("photo", help="PNG, JPEG or WebP file")
    parser.add_argument("square", nargs="*", type=int, help="x y size: the square holding the face")
    parser.add_argument("--models", default="models", help="folder with manifest.json (default: models)")
    parser.add_argument("--pixels", action="store_true", help="print the 2304 grey levels first")
    args = parser.parse_args()
    if len(args.square) not in (0, 3):
        parser.error("give the square as three integers: x y size")
    pixels = photo_to_pixels(load_rgba(args.photo), tuple(args.square) or None)
    if args.pixels:
        print(" ".join(map(str, pixels.ravel())))
    for task, (label, probability, _) in classify(pixels, load_models(args.models)).items():
        print(task, label, f"{probability:.4f}")


if __name__ == "__main__":
    main()
