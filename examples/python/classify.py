#!/usr/bin/env python3
"""Find and classify the faces in a photo with facekit's shipped ONNX files, without the toolkit.

    python3 examples/python/classify.py photo.jpg [--min-score 0.5] [--max-faces 10] [--no-close-look]
                                                  [--centre-if-none]
    python3 examples/python/classify.py face.png --no-detect      # an already-cropped face: its centre square
    python3 examples/python/classify.py photo.jpg x y size        # the square holding the face
    python3 examples/python/classify.py photo.jpg x y size angle  # ... turned angle degrees clockwise

By default the photo goes through the face detector (models/face-detector.onnx, checked against the
sha256 in face-detector.json) and each face found, best first, is classified on its square; that is
what the server's classifyFaces does, with @facekit/core's face-detection.ts repeated line by line:
`detector_input` (the photo letterboxed into 256x256 RGB), `read_detections` (threshold, weighted
non-maximum suppression, back through the letterbox), `face_square` (the square framed as the
training faces were, turned with the eye line when it is tilted 5 degrees or more) and `detect_faces`
(a second, wide look with the photo zoomed out when the first finds a large face or none, and a close
look in tiles for small faces in a photo larger than 256 px).
`photo_to_pixels` is the server's preprocessing (@facekit/core's imageToPixels after sharp decodes the
photo), operation for operation, so it gives the grey levels the server gives, not just close ones:
EXIF orientation applied, embedded colour profile converted to sRGB, ITU-R 601 luma, transparency over
white, the square (default: the centre square) area-averaged to 48x48 (a turned square: bilinear
samples, as core's turnedSquarePixels), rounded half up. Preprocessing and decoding need only Pillow and numpy; `load_models`,
`load_detector`, `detect_faces` and `classify` also need onnxruntime.
"""
import argparse
import hashlib
import io
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

SIDE = 48
# The detector's fixed interface (face-detector.json; core's DETECTOR_INPUT_SIZE, DETECTOR_ANCHORS,
# DETECTOR_BOX_VALUES and FACE_KEYPOINTS). check_detector refuses a file whose JSON says otherwise.
DETECTOR_SIZE = 256
ANCHORS = 896
BOX_VALUES = 16  # per anchor: box centre x, y, width, height, then six keypoints (x, y), input pixels
KEYPOINTS = ("rightEye", "leftEye", "nose", "mouth", "rightEar", "leftEar")  # the subject's right
# Core's FACE_FRAMING (packages/core/src/face-detection.ts), fitted by `pnpm bench:detection --fit`:
# the square's side is box_to_side x the box's, its centre eyes_to_centre x the side below the point
# between the eyes and eyes_across_centre x the side to the right. tests/examples/python-detect.test.ts
# fails when these differ from core's.
FACE_FRAMING = {"box_to_side": 1.096, "eyes_to_centre": 0.201, "eyes_across_centre": 0.013}
# Core's LEVEL_EYES_DEGREES: an eye line tilted less than this is taken as level and its square left
# upright (turning every face cost 0.7-2 points on upright faces; a face tilted 15 degrees lost 6-9
# upright). The same test fails when it differs from core's.
LEVEL_EYES_DEGREES = 5
# Core's WIDE_LOOK: when detect_faces looks again with the photo zoomed out, and which faces it keeps
# from that look (the detector frames a face filling most of its input badly). The same test fails
# when it differs from core's.
WIDE_LOOK = {"zoom_out": 2, "near_side": 0.4, "keep_side": 0.3}
# Core's CLOSE_LOOK: a photo larger than the detector's input is also searched in tiles, for small faces,
# each tile only where the whole photo's look saw a hint of one (a small candidate scoring hint_score)
CLOSE_LOOK = {"keep_side": 0.16, "margin": 0.02, "hint_score": 0.07}
# Core's MAX_TURNED_SAMPLES: a turned square is read with n x n bilinear samples per output pixel, n a
# 48th of its side, at most 8.
MAX_TURNED_SAMPLES = 8


def png_bit_depth(path):
    """A PNG's bits per sample (its IHDR), None for any other file."""
    with open(path, "rb") as file:
        head = file.read(26)
    return head[24] if head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR" else None


def load_rgba(path):
    """The photo as an RGBA uint8 array [height, width, 4], upright and in sRGB, as the server decodes it."""
    with Image.open(path) as image:
        key = image.info.get("transparency")
        if image.mode == "RGB" and key is not None and png_bit_depth(path) == 16:
            # Pillow reads a 16-bit RGB PNG at 8 bits, so the pixels its 16-bit transparency key names
            # (which sharp shows as white) can no longer be told from their neighbours.
            raise ValueError(
                "is a 16-bit RGB PNG with a transparency key, which Pillow cannot read exactly; "
                "save it at 8 bits or with an alpha channel"
            )
        image = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        if icc and image.mode in ("RGB", "RGBA", "CMYK"):
            # sharp converts a photo with an embedded colour profile (Display P3, Adobe RGB...) to sRGB.
            from PIL import ImageCms

            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, profile, ImageCms.createProfile("sRGB"), outputMode=mode)
        if image.mode == "I" or image.mode.startswith("I;16"):  # 16-bit grey (mode I before Pillow 10)
            # convert() would clip it at 255; sharp keeps each value's high byte. A transparency key
            # is a 16-bit value: compared with the 16-bit samples, before they are cut to 8 bits.
            deep = np.asarray(image)
            grey = (deep >> 8).astype(np.uint8)
            alpha = np.full_like(grey, 255)
            if isinstance(key, int):
                alpha[deep == key] = 0
            return np.dstack([grey, grey, grey, alpha])
        return np.asarray(image.convert("RGBA"))


def area_taps(size, out=SIDE):
    """Per output pixel (of `out`), the source pixels (of `size`) it covers, weighted coverage / scale."""
    scale = size / out
    taps = []
    for o in range(out):
        start = o * scale
        end = start + scale
        sources = range(math.floor(start), math.ceil(end - 1e-9))
        covered = [(s, min(end, s + 1) - max(start, s)) for s in sources]
        taps.append([(s, c / scale) for s, c in covered if c > 1e-9])
    return taps


def grey_levels(rgba):
    """RGBA array -> float64 luma [height, width], on the 8-bit sRGB values (no linearising), over white
    by alpha: core's per-pixel term, the same operations in the same order."""
    r, g, b, a = np.moveaxis(rgba.astype(np.float64), -1, 0)
    luma = 0.299 * r + 0.587 * g + 0.114 * b
    return np.where(a == 255, luma, 255 + (luma - 255) * a / 255)


def round_half_up(v):
    """Float array -> uint8, rounded as JavaScript's Math.round and clamped to 0-255. Not round() or
    np.rint (half to even), nor floor(x + 0.5), which turns 0.49999999999999994 (four pixels 1, 1, 0, 0)
    into 1."""
    whole = np.floor(v)
    return np.clip(whole + (v - whole >= 0.5), 0, 255).astype(np.uint8)


def photo_to_pixels(rgba, square=None):
    """RGBA array -> 48x48 uint8 grey levels of the square (x, y, size) or (x, y, size, angle), angle
    the degrees it is turned clockwise about its centre (-180 to 180; 0: upright), as face_square gives
    it; default the centre square."""
    height, width = rgba.shape[:2]
    if square is None:
        size = min(width, height)
        square = ((width - size) // 2, (height - size) // 2, size)  # margins rounded down
    x, y, size, *turned = square
    angle = turned[0] if turned else 0
    if len(turned) > 1 or not -180 <= angle <= 180:  # as core's checkCrop (a NaN fails too)
        raise ValueError(f"square {square}: the angle must be a number of degrees from -180 to 180")
    if min(x, y) < 0 or size < 1 or x + size > width or y + size > height:
        raise ValueError(f"square {square} is not inside the {width}x{height} photo")
    if angle:
        return turned_square_pixels(grey_levels(rgba), x, y, size, angle)
    grey = grey_levels(rgba[y : y + size, x : x + size])
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
    return round_half_up(out)


def turned_square_pixels(grey, x, y, size, angle):
    """Photo luma (grey_levels') -> 48x48 uint8 of the square turned `angle` degrees clockwise: core's
    turnedSquarePixels. Each output pixel is the mean of n x n points spread over its part of the square,
    each turned into the photo and read by bilinear interpolation, the photo's edge repeated beyond it.
    numpy runs one sample point of every output pixel at a time, in core's loop order (j, then i) and
    with its float64 operations in its order, so the sums are core's to the bit."""
    height, width = grey.shape
    n = min(MAX_TURNED_SAMPLES, max(1, math.ceil(size / SIDE)))
    step = size / (SIDE * n)
    turn = angle * math.pi / 180
    cos, sin = math.cos(turn), math.sin(turn)
    cx, cy = x + size / 2, y + size / 2
    first = np.arange(SIDE) * n  # each output pixel's first sample, along either axis
    total = np.zeros((SIDE, SIDE))  # [oy, ox]
    for j in range(n):
        ly = ((first + j + 0.5) * step - size / 2)[:, None]
        for i in range(n):
            lx = ((first + i + 0.5) * step - size / 2)[None, :]
            # The point in the photo, in pixel-centre coordinates, clamped to the edge pixels.
            fx = np.minimum(width - 1, np.maximum(0, cx + cos * lx - sin * ly - 0.5))
            fy = np.minimum(height - 1, np.maximum(0, cy + sin * lx + cos * ly - 0.5))
            x0, y0 = np.floor(fx), np.floor(fy)
            ax, ay = fx - x0, fy - y0
            x0, y0 = x0.astype(np.intp), y0.astype(np.intp)
            x1, y1 = np.minimum(width - 1, x0 + 1), np.minimum(height - 1, y0 + 1)
            top = grey[y0, x0] * (1 - ax) + grey[y0, x1] * ax
            bottom = grey[y1, x0] * (1 - ax) + grey[y1, x1] * ax
            total += top * (1 - ay) + bottom * ay
    return round_half_up(total / (n * n))


def js_round(v):
    """JavaScript's Math.round: half up (see photo_to_pixels)."""
    whole = math.floor(v)
    return int(whole + (v - whole >= 0.5))


def letterbox(width, height, zoom_out=1):
    """Where a width x height photo lies in the detector's input, as core's DetectorFrame (input pixel =
    offset + photo pixel / scale), and the size (w, h) it is reduced to there, rounded to whole pixels;
    zoom_out > 1 makes the photo that many times smaller (the wide look of detect_faces)."""
    fit = DETECTOR_SIZE / (max(width, height) * zoom_out)
    w = max(1, js_round(width * fit))
    h = max(1, js_round(height * fit))
    frame = {
        "width": width,
        "height": height,
        "scale_x": width / w,
        "scale_y": height / h,
        "offset_x": (DETECTOR_SIZE - w) // 2,  # margins rounded down
        "offset_y": (DETECTOR_SIZE - h) // 2,
    }
    return frame, w, h


def detector_input(rgba, zoom_out=1, region=None):
    """RGBA array -> (float32 [1, 256, 256, 3], frame): core's detectorInput. RGB 0-255, the photo
    area-averaged into the middle of the square with its aspect kept, black around it, transparent
    pixels over white. region (x, y, width, height): that part of the photo alone (a tile of
    detect_faces' close look), the frame still in the whole photo's pixels."""
    full_height, full_width = rgba.shape[:2]
    left, top, width, height = region or (0, 0, full_width, full_height)
    rgba = rgba[top : top + height, left : left + width]
    frame, w, h = letterbox(width, height, zoom_out)
    # Input pixel = offset + (photo pixel - region's corner) / scale: the corner folds into the offset.
    frame.update(
        width=full_width,
        height=full_height,
        offset_x=frame["offset_x"] - left / frame["scale_x"],
        offset_y=frame["offset_y"] - top / frame["scale_y"],
    )
    # Rows first (height x w x 3), then columns, each output's taps summed in core's order.
    rows = np.zeros((height, w, 3))
    for o, pixels in enumerate(area_taps(width, w)):
        for s, k in pixels:
            alpha = rgba[:, s, 3:] / 255
            rows[:, o] += (255 + (rgba[:, s, :3] - 255.0) * alpha) * k
    out = np.zeros((h, w, 3))
    for o, pixels in enumerate(area_taps(height, h)):
        for s, k in pixels:
            out[o] += rows[s] * k
    image = np.zeros((1, DETECTOR_SIZE, DETECTOR_SIZE, 3), np.float32)
    y0, x0 = (DETECTOR_SIZE - h) // 2, (DETECTOR_SIZE - w) // 2
    image[0, y0 : y0 + h, x0 : x0 + w] = out
    return image, frame


def corners(v):
    """Boxes (centre x, y, width, height, ...) -> left, top, right, bottom."""
    x, y, half_w, half_h = v[..., 0], v[..., 1], v[..., 2] / 2, v[..., 3] / 2
    return x - half_w, y - half_h, x + half_w, y + half_h


def overlaps(best, others):
    """Intersection over union of one box with each of `others` (rows of 16 values), as core's overlapOf."""
    ax0, ay0, ax1, ay1 = corners(best)
    bx0, by0, bx1, by1 = corners(others)
    w = np.minimum(ax1, bx1) - np.maximum(ax0, bx0)
    h = np.minimum(ay1, by1) - np.maximum(ay0, by0)
    shared = w * h
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = shared / (best[2] * best[3] + others[:, 2] * others[:, 3] - shared)
    return np.where((w <= 0) | (h <= 0), 0, iou)


def merge_overlapping(scores, values, overlap, max_faces):
    """Weighted non-maximum suppression (MediaPipe's "weighted" mode), as core's mergeOverlapping: the
    best remaining anchor and every anchor overlapping it become one face, their score-weighted mean."""
    left = np.argsort(-scores, kind="stable")  # best first, ties in anchor order (JavaScript's sort)
    faces = []
    while len(left) > 0 and len(faces) < max_faces:
        best = left[0]
        joined = ~(overlaps(values[best], values[left]) <= overlap)  # as core: a NaN overlap joins
        joined[0] = True
        merged, weights = np.zeros(BOX_VALUES), 0.0
        for c in left[joined][::-1]:  # core's order (it walks the list backwards), for identical sums
            merged += values[c] * scores[c]
            weights += scores[c]
        faces.append((float(scores[best]), merged / weights))
        left = left[~joined]
    return faces


def face_square(eyes, box_side, width, height):
    """Core's faceSquare: the square to classify for a face whose eyes ((x, y) right, left) and box side
    are given, framed as the training faces were, turned with the eye line (the models were trained on
    faces with level eyes) unless it is within LEVEL_EYES_DEGREES of level, then moved (and shrunk) so
    that its upright square lies in the photo. (x, y, size) when upright, (x, y, size, angle) when
    turned, angle in degrees clockwise: what photo_to_pixels takes."""
    (rx, ry), (lx, ly) = eyes
    side = box_side * FACE_FRAMING["box_to_side"]
    tilt = math.atan2(ly - ry, lx - rx) * 180 / math.pi
    angle = 0 if abs(tilt) < LEVEL_EYES_DEGREES else tilt
    turn = angle * math.pi / 180
    # The framing's offset from between the eyes, along and across the (turned) eye line.
    along, across = side * FACE_FRAMING["eyes_across_centre"], side * FACE_FRAMING["eyes_to_centre"]
    cx = (lx + rx) / 2 + math.cos(turn) * along - math.sin(turn) * across
    cy = (ly + ry) / 2 + math.sin(turn) * along + math.cos(turn) * across
    size = max(1, min(js_round(side), width, height))
    x = min(max(js_round(cx - size / 2), 0), width - size)
    y = min(max(js_round(cy - size / 2), 0), height - size)
    return (x, y, size, angle) if angle else (x, y, size)


def read_detections(scores, boxes, frame, min_score=0.5, overlap=0.3, max_faces=10):
    """The detector's outputs (scores [896], boxes [896 x 16]) -> the faces, best first, in the photo's
    pixels: core's readDetections. Each face: score, box (x, y, width, height; it may reach past the
    photo's edges), keypoints {name: (x, y)} and square, the square to classify: (x, y, size), or
    (x, y, size, angle) when face_square turns it with the eyes."""
    scores = np.asarray(scores, np.float64).ravel()
    boxes = np.asarray(boxes, np.float64).ravel()
    if scores.size != ANCHORS or boxes.size != ANCHORS * BOX_VALUES:
        raise ValueError(
            f"expected {ANCHORS} scores and {ANCHORS * BOX_VALUES} box values, "
            f"got {scores.size} and {boxes.size}"
        )
    kept = np.flatnonzero(scores >= min_score)
    values = boxes.reshape(ANCHORS, BOX_VALUES)[kept]

    def to_photo(x, y):
        return (x - frame["offset_x"]) * frame["scale_x"], (y - frame["offset_y"]) * frame["scale_y"]

    faces = []
    for score, v in merge_overlapping(scores[kept], values, overlap, max_faces):
        left, top = to_photo(v[0] - v[2] / 2, v[1] - v[3] / 2)
        box = (left, top, v[2] * frame["scale_x"], v[3] * frame["scale_y"])
        keypoints = {name: to_photo(v[4 + 2 * i], v[5 + 2 * i]) for i, name in enumerate(KEYPOINTS)}
        eyes = (keypoints["rightEye"], keypoints["leftEye"])
        square = face_square(eyes, (box[2] + box[3]) / 2, frame["width"], frame["height"])
        faces.append({"score": score, "box": box, "keypoints": keypoints, "square": square})
    return faces


def check_detector(models="models"):
    """face-detector.json and the path of the file it names, refused (ValueError) unless the file's
    sha256 and the interface are the ones the JSON gives and this script's constants assume."""
    info = json.loads((Path(models) / "face-detector.json").read_text())
    path = Path(models) / info["file"]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != info["sha256"]:
        raise ValueError(
            f"{path} has sha256 {digest}, but face-detector.json expects {info['sha256']}: "
            "it is not the shipped detector (check it out again, or run pnpm export:detector)"
        )
    shapes = [info["input"]["shape"]] + [output["shape"] for output in info["outputs"]]
    expected = [[1, DETECTOR_SIZE, DETECTOR_SIZE, 3], [1, ANCHORS], [1, ANCHORS, BOX_VALUES]]
    if shapes != expected or tuple(info["outputs"][1].get("keypoints", ())) != KEYPOINTS:
        raise ValueError(
            f"face-detector.json gives shapes {shapes}, not {expected} with keypoints {KEYPOINTS}"
        )
    return info, path


def load_detector(models="models"):
    """face-detector.json and an onnxruntime session of the detector, once check_detector passes."""
    import onnxruntime as ort

    info, path = check_detector(models)
    return info, ort.InferenceSession(str(path))


def box_side(face):
    return (face["box"][2] + face["box"][3]) / 2


def share_inside(inner, outer):
    """The share of inner's box that lies inside outer's."""
    (ax, ay, aw, ah), (bx, by, bw, bh) = inner["box"], outer["box"]
    w = min(ax + aw, bx + bw) - max(ax, bx)
    h = min(ay + ah, by + bh) - max(ay, by)
    return w * h / (aw * ah) if w > 0 and h > 0 else 0


def close_look_tiles(width, height):
    """Core's closeLookTiles: the close look's tiles (x, y, width, height), squares cut to the photo of
    side (longer + overlap) / 2, as few along each side as cover it with the overlap, spread evenly; none
    for a photo no larger than the detector's input."""
    longer = max(width, height)
    if longer <= DETECTOR_SIZE:
        return []
    overlap = (CLOSE_LOOK["keep_side"] + 2 * CLOSE_LOOK["margin"]) * longer
    side = math.ceil((longer + overlap) / 2)

    def starts(length):
        if length <= side:
            return [0]
        count = math.ceil((length - overlap) / (side - overlap))
        return [js_round(i * (length - side) / (count - 1)) for i in range(count)]

    return [(x, y, min(side, width), min(side, height)) for y in starts(height) for x in starts(width)]


def same_face(a, b, overlap):
    """Core's sameFace: the boxes overlap by more than `overlap` (IoU), or one lies mostly in the other."""
    inside = share_inside(a, b)
    if inside > 0.5 or share_inside(b, a) > 0.5:
        return True
    area_a, area_b = a["box"][2] * a["box"][3], b["box"][2] * b["box"][3]
    shared = inside * area_a
    return shared / (area_a + area_b - shared) > overlap


def centre_in(face, tile):
    """Whether the centre of face's box lies in tile."""
    x, y, w, h = face["box"]
    tx, ty, tw, th = tile
    return tx <= x + w / 2 < tx + tw and ty <= y + h / 2 < ty + th


def near_inner_edge(face, tile, width, height, margin):
    """Whether a face found in `tile` reaches within `margin` pixels of one of its edges inside the photo."""
    x, y, w, h = face["box"]
    tx, ty, tw, th = tile
    return (
        (tx > 0 and x < tx + margin)
        or (ty > 0 and y < ty + margin)
        or (tx + tw < width and x + w > tx + tw - margin)
        or (ty + th < height and y + h > ty + th - margin)
    )


def detect_faces(rgba, detector, close_look=True, **options):
    """RGBA array -> the faces found in it, best first: core's detectFaces. The usual look, then, when it
    finds no face or one whose box side is at least WIDE_LOOK's near_side x the photo's longer side, a
    wide look with the photo zoomed out, whose large faces take the place of the usual look's faces
    lying mostly inside them; then, for a photo larger than the detector's input (unless close_look is
    False), the close look: those of CLOSE_LOOK's tiles where the usual look saw a hint of a small face,
    whose small faces join the whole photo's small faces, best first, each kept unless it is a face
    already kept. Options as read_detections'."""
    info, session = detector
    names = [output["name"] for output in info["outputs"]]  # scores, boxes

    max_faces = options.pop("max_faces", 10)
    overlap = options.get("overlap", 0.3)

    def look(zoom_out=1, region=None, hint_score=None):
        # Every face each look finds (the answer is cut at max_faces at the end, as core's), and those
        # at hint_score when given: the close look's hints.
        image, frame = detector_input(rgba, zoom_out, region)
        scores, boxes = session.run(names, {info["input"]["name"]: image})
        faces = read_detections(scores, boxes, frame, max_faces=ANCHORS, **options)
        if hint_score is None:
            return faces, []
        hint_options = {**options, "min_score": hint_score}
        return faces, read_detections(scores, boxes, frame, max_faces=ANCHORS, **hint_options)

    height, width = rgba.shape[:2]
    tiles = close_look_tiles(width, height) if close_look else []
    hint_score = min(CLOSE_LOOK["hint_score"], options.get("min_score", 0.5)) if tiles else None
    near, hints = look(hint_score=hint_score)
    longer = max(width, height)
    found = near
    if not near or any(box_side(f) >= WIDE_LOOK["near_side"] * longer for f in near):
        wide = [f for f in look(WIDE_LOOK["zoom_out"])[0] if box_side(f) >= WIDE_LOOK["keep_side"] * longer]
        if wide:
            found = wide + [f for f in near if not any(share_inside(f, big) > 0.5 for big in wide)]
    if tiles:

        def is_small(f):
            return box_side(f) < CLOSE_LOOK["keep_side"] * longer

        # The whole photo's small faces compete with the tiles' (a tile frames a small face better).
        small = [f for f in found if is_small(f)]
        for tile in tiles:
            if not any(is_small(h) and centre_in(h, tile) for h in hints):
                continue
            small += [
                f
                for f in look(region=tile)[0]
                if is_small(f) and not near_inner_edge(f, tile, width, height, CLOSE_LOOK["margin"] * longer)
            ]
        # The large faces, then the small ones best first (stable, as Array.sort), each kept unless it
        # is a face already kept.
        kept = [f for f in found if not is_small(f)]
        for face in sorted(small, key=lambda f: -f["score"]):
            if not any(same_face(face, other, overlap) for other in kept):
                kept.append(face)
        found = kept
    return sorted(found, key=lambda f: -f["score"])[:max_faces]


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
    parser = argparse.ArgumentParser(description="Find and classify the faces in a photo with models/.")
    parser.add_argument("photo", help="PNG, JPEG or WebP file")
    parser.add_argument(
        "square",
        nargs="*",
        type=float,
        help="x y size [angle]: the square holding the face, turned angle degrees clockwise (default 0)",
    )
    parser.add_argument("--models", default="models", help="folder with manifest.json (default: models)")
    parser.add_argument("--no-detect", action="store_true", help="an already-cropped face: its centre square")
    parser.add_argument("--min-score", type=float, default=0.5, help="lowest face score kept (default: 0.5)")
    parser.add_argument("--max-faces", type=int, default=10, help="most faces classified (default 10)")
    parser.add_argument(
        "--no-close-look",
        action="store_true",
        help="search the photo whole only, not also in tiles for small faces",
    )
    parser.add_argument("--centre-if-none", action="store_true", help="no face found: the centre square")
    parser.add_argument("--pixels", action="store_true", help="print each face's 2304 grey levels first")
    args = parser.parse_args()
    if len(args.square) not in (0, 3, 4) or not all(v.is_integer() for v in args.square[:3]):
        parser.error("give the square as three integers, x y size, and optionally its angle in degrees")
    if len(args.square) == 4 and not -180 <= args.square[3] <= 180:
        parser.error(f"the angle must be from -180 to 180 degrees, got {args.square[3]}")
    try:
        rgba = load_rgba(args.photo)
    except (OSError, ValueError) as error:  # missing, empty, not an image (Pillow's UnidentifiedImageError)
        raise SystemExit(f"{args.photo}: {error}")
    height, width = rgba.shape[:2]
    if args.square or args.no_detect:
        square = [int(v) for v in args.square[:3]] + args.square[3:]
        faces = [{"square": tuple(square) or None}]
    else:
        detector = load_detector(args.models)
        faces = detect_faces(
            rgba,
            detector,
            close_look=not args.no_close_look,
            min_score=args.min_score,
            max_faces=args.max_faces,
        )
        if not faces:
            print(f"no face found in the {width}x{height} photo (no score of {args.min_score} or more)")
            if not args.centre_if_none:
                raise SystemExit(1)  # give x y size, --no-detect or --centre-if-none to classify anyway
            print("classifying its centre square instead")
            faces = [{"square": None}]
    try:  # every square read before the models are opened: one outside the photo is said at once
        face_pixels = [photo_to_pixels(rgba, face["square"]) for face in faces]
    except ValueError as error:
        raise SystemExit(f"{args.photo}: {error}")
    models = load_models(args.models)
    for number, (face, pixels) in enumerate(zip(faces, face_pixels), 1):
        if "score" in face:
            x, y, size, *turned = face["square"]
            where = f"{x} {y} {size} (x y size)"
            if turned:  # the eyes tilted: give all four to classify.py to read this square again
                way = "clockwise" if turned[0] > 0 else "anticlockwise"
                where = f"{x} {y} {size} {turned[0]!r} (x y size angle, turned {abs(turned[0]):.1f} degrees {way})"
            print(f"face {number} of {len(faces)}: square {where}, score {face['score']:.4f}")
        if args.pixels:
            print(" ".join(map(str, pixels.ravel())))
        for task, (label, probability, _) in classify(pixels, models).items():
            print(task, label, f"{probability:.4f}")


if __name__ == "__main__":
    main()
