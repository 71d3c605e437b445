#!/usr/bin/env python3
"""Ask a running `pnpm serve` about the faces in photos, with nothing but Python's standard library.

Each photo goes to the GraphQL `classifyFaces` mutation as the file it is (a GraphQL multipart request:
the query in `operations` with the photo's variable null, `map` naming the file part that fills it, then
the file), and each face found comes back with its square and labels, best first. No pip install: for a
script, a notebook or a batch job that would rather call a server than load onnxruntime itself
(classify.py, beside this file, does that instead).

    python3 examples/python/ask_server.py photo.jpg [more.jpg …] [--url http://host:4000/graphql]
    python3 examples/python/ask_server.py photo.jpg --json   # the server's answers, as JSON

In your own code: `from ask_server import classify_faces` then `classify_faces(url, path)` for the
answer as a dict (`width`, `height`, `faces`), or a `ServerError` with the server's code and message.
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
import uuid

DEFAULT_URL = "http://localhost:4000/graphql"

QUERY = """mutation($photo: Upload, $minScore: Float, $maxFaces: Int) {
  classifyFaces(photo: $photo, minScore: $minScore, maxFaces: $maxFaces) {
    width height
    faces {
      score
      crop { x y size angle }
      classification {
        age { label confidence }
        ethnicity { label confidence }
        gender { label confidence }
      }
    }
  }
}"""

TASKS = ("age", "ethnicity", "gender")


class ServerError(Exception):
    """A refusal from the server: its stable code (INVALID_IMAGE, IMAGE_TOO_LARGE, …) and message."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code


def multipart_body(operations, photo, filename):
    """The request body and its content type: `operations`, the map, then the photo's bytes."""
    boundary = uuid.uuid4().hex
    # A file name is quoted in its header: quotes and line breaks would end it early.
    safe = filename.replace('"', "%22").replace("\r", " ").replace("\n", " ")

    def part(name, extra=""):
        return f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"{extra}\r\n\r\n'.encode()

    body = b"".join([
        part("operations"), json.dumps(operations).encode(), b"\r\n",
        part("map"), b'{"0": ["variables.photo"]}\r\n',
        part("0", f'; filename="{safe}"\r\nContent-Type: application/octet-stream'), photo,
        f"\r\n--{boundary}--\r\n".encode(),
    ])
    return body, f"multipart/form-data; boundary={boundary}"


def classify_faces(url, path, min_score=0.5, max_faces=10, timeout=60):
    """The server's classifyFaces answer for the photo file at `path`, as a dict."""
    with open(path, "rb") as f:
        photo = f.read()
    variables = {"photo": None, "minScore": min_score, "maxFaces": max_faces}
    body, content_type = multipart_body({"query": QUERY, "variables": variables}, photo, os.path.basename(path))
    # Apollo refuses a multipart request without this header (a cross-site form cannot send one).
    headers = {"Content-Type": content_type, "Apollo-Require-Preflight": "true"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        # The server's refusals (413, 400, 503) are GraphQL errors in JSON too.
        try:
            answer = json.load(error)
        except ValueError:
            raise ServerError(f"HTTP_{error.code}", error.reason) from error
    if answer.get("errors"):
        first = answer["errors"][0]
        raise ServerError(first.get("extensions", {}).get("code", "ERROR"), first["message"])
    return answer["data"]["classifyFaces"]


def describe(answer):
    """The answer as lines, the way classify.py prints its faces."""
    faces = answer["faces"]
    if not faces:
        return [f"no face found ({answer['width']}×{answer['height']})"]
    lines = []
    for i, face in enumerate(faces):
        crop = face["crop"]
        square = f"{crop['x']} {crop['y']} {crop['size']}"
        if crop["angle"] is not None:
            square += f" {crop['angle']} (x y size angle)"
        else:
            square += " (x y size)"
        lines.append(f"face {i + 1} of {len(faces)}: square {square}, score {face['score']:.4f}")
        for task in TASKS:
            prediction = face["classification"][task]
            if prediction:
                lines.append(f"{task} {prediction['label']} {prediction['confidence']:.4f}")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("photos", nargs="+", help="PNG, JPEG or WebP files")
    parser.add_argument("--url", default=os.environ.get("FACEKIT_URL", DEFAULT_URL),
                        help=f"the server's GraphQL URL [FACEKIT_URL, default {DEFAULT_URL}]")
    parser.add_argument("--min-score", type=float, default=0.5, help="lowest detector score kept [0.5]")
    parser.add_argument("--max-faces", type=int, default=10, help="most faces answered, best first [10]")
    parser.add_argument("--json", action="store_true", help="print the answers as one JSON list")
    args = parser.parse_args(argv)
    failed = 0
    answers = []
    for path in args.photos:
        try:
            answer = classify_faces(args.url, path, args.min_score, args.max_faces)
        except (OSError, ServerError) as error:
            reason = getattr(error, "reason", None)
            if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
                error = f"cannot reach {args.url} ({reason}); is `pnpm serve` running?"
            print(f"{path}: {error}", file=sys.stderr)
            answers.append({"file": path, "error": str(error)})
            failed += 1
            continue
        answers.append({"file": path, **answer})
        if not args.json:
            print(f"{path}: {answer['width']}×{answer['height']}")
            print("\n".join("  " + line for line in describe(answer)))
    if args.json:
        print(json.dumps(answers, indent=2))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
