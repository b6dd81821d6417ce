#!/usr/bin/python3
"""Writes the small DICOM test files under test-fixtures/ and the reference images decode-dicom.ts is checked against.

Run with Debian's Python: /usr/bin/python3 scripts/make_dicom_reference.py
Needs python3-pydicom (Debian 2.3.1) and python3-numpy; dev-time only, tests never run Python.
Deterministic: fixed UIDs and seeded pixel data, so re-running gives byte-identical files.

For every case <name> it writes
  dicom-<name>.dcm        a DICOM Part-10 file written by pydicom (transfer syntax as listed)
  dicom-<name>-raw.npy    float32 [rows, cols]: pydicom's pixel_array of the first frame (stored values, exact)
  dicom-<name>.npy        float32 [rows, cols]: the expected grey image in [0, 1], computed here with pydicom's
                          own LUT functions, independently of the TypeScript code:
                            modality: pydicom apply_modality_lut (value * RescaleSlope + RescaleIntercept)
                            window:   pydicom apply_windowing (PS3.3 C.11.2.1.2 LINEAR, C.11.2.1.3 LINEAR_EXACT /
                                      SIGMOID, first window of a multi-valued pair), its output range
                                      [y_min, y_max] mapped linearly to [0, 1]
                            no window: min-max of the rescaled image to [0, 1] (a constant image gives 0)
                            MONOCHROME1: 1 - y after windowing
                            RGB: (299 R + 587 G + 114 B) / 1000 / (2^BitsStored - 1)
and dicom-jpeg-baseline.dcm, whose encapsulated pixel data the decoder must refuse naming its transfer syntax.
"""
import os

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.encaps import encapsulate
from pydicom.pixel_data_handlers.util import apply_modality_lut, apply_windowing
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian, ExplicitVRLittleEndian,
                         ImplicitVRLittleEndian, JPEGBaseline8Bit)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test-fixtures")
ROOT_UID = "1.2.826.0.1.3680043.8.498.7711"  # fixed, so files are reproducible
DX_STORAGE = "1.2.840.10008.5.1.4.1.1.1.1"  # Digital X-Ray Image Storage - For Presentation


def body(rows, cols, seed):
    """A smooth 'chest-like' field in [0, 1] with noise: edges and ramps for the resize to get right."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:rows, 0:cols]
    cy, cx = rows / 2, cols / 2
    lungs = np.exp(-(((x - cx * 0.6) / (cols * 0.18)) ** 2 + ((y - cy) / (rows * 0.3)) ** 2))
    lungs += np.exp(-(((x - cx * 1.4) / (cols * 0.18)) ** 2 + ((y - cy) / (rows * 0.3)) ** 2))
    v = 0.2 + 0.5 * lungs + 0.2 * (x / cols) + rng.normal(0, 0.03, (rows, cols))
    return np.clip(v, 0, 1)


def dataset(name, syntax, rows, cols, photometric, bits_allocated, bits_stored, signed, samples=1):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DX_STORAGE
    meta.MediaStorageSOPInstanceUID = "%s.%d" % (ROOT_UID, abs(hash_name(name)))
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = ROOT_UID + ".0"
    meta.ImplementationVersionName = "ENVISION_TEST"
    ds = FileDataset(name, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    ds.SOPClassUID = DX_STORAGE
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "DX"
    ds.PatientName = "Test^Envision"
    ds.Rows, ds.Columns = rows, cols
    ds.SamplesPerPixel = samples
    ds.PhotometricInterpretation = photometric
    if samples == 3:
        ds.PlanarConfiguration = 0
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = bits_allocated, bits_stored, bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    return ds


def add_sequence(ds):
    """A sequence of undefined length holding an item of undefined length (and one of defined length), before
    the pixel data: the decoder's own element walk must step over both forms."""
    a, b = Dataset(), Dataset()
    a.ReferencedSOPClassUID, a.ReferencedSOPInstanceUID = DX_STORAGE, ROOT_UID + ".1"
    b.ReferencedSOPClassUID, b.ReferencedSOPInstanceUID = DX_STORAGE, ROOT_UID + ".2"
    a.is_undefined_length_sequence_item = True
    ds.ReferencedImageSequence = Sequence([a, b])
    ds["ReferencedImageSequence"].is_undefined_length = True


def hash_name(name):
    """A small stable integer per name (Python's hash() is salted per process)."""
    h = 0
    for ch in name.encode():
        h = (h * 131 + ch) % 1_000_000_007
    return h


def expected(ds, raw):
    """The reference grey image in [0, 1] (see the module docstring)."""
    if ds.PhotometricInterpretation == "RGB":
        rgb = raw.astype(np.float64)
        return (299 * rgb[..., 0] + 587 * rgb[..., 1] + 114 * rgb[..., 2]) / 1000 / (2 ** ds.BitsStored - 1)
    x = apply_modality_lut(raw, ds).astype(np.float64)
    if "WindowCenter" in ds and "WindowWidth" in ds:
        # pydicom's output range: the stored range, rescaled like the data
        if ds.PixelRepresentation == 0:
            lo, hi = 0, 2 ** ds.BitsStored - 1
        else:
            lo, hi = -(2 ** (ds.BitsStored - 1)), 2 ** (ds.BitsStored - 1) - 1
        slope, intercept = float(ds.get("RescaleSlope", 1)), float(ds.get("RescaleIntercept", 0))
        lo, hi = lo * slope + intercept, hi * slope + intercept
        y = (apply_windowing(x, ds) - lo) / (hi - lo)
    else:
        span = x.max() - x.min()
        y = (x - x.min()) / span if span > 0 else np.zeros_like(x)
    if ds.PhotometricInterpretation == "MONOCHROME1":
        y = 1 - y
    return y


def save(name, ds, stored, fix=None):
    """stored: the stored values of every frame, [frames, rows, cols(, 3)] as the writer's dtype; fix: what turns
    pydicom's pixel_array into the stored values when pydicom does not (bits outside BitsStored)."""
    dtype = stored.dtype.newbyteorder(">" if not ds.is_little_endian else "<")
    ds.PixelData = stored.astype(dtype).tobytes()
    if stored.shape[0] > 1:
        ds.NumberOfFrames = stored.shape[0]
    path = os.path.join(OUT, "dicom-%s.dcm" % name)
    ds.save_as(path, write_like_original=False)
    # Read back with pydicom: the references come from what is in the file, not from what was meant.
    back = pydicom.dcmread(path)
    raw = back.pixel_array
    if stored.shape[0] > 1:
        raw = raw[0]
    if fix is not None:
        raw = fix(raw)
    np.save(os.path.join(OUT, "dicom-%s-raw.npy" % name), np.ascontiguousarray(raw, dtype=np.float32))
    np.save(os.path.join(OUT, "dicom-%s.npy" % name), np.ascontiguousarray(expected(back, raw), dtype=np.float32))
    print("%-28s %-22s %7d bytes" % (name, back.file_meta.TransferSyntaxUID.name, os.path.getsize(path)))


def main():
    rows, cols = 48, 64

    # 1. MONOCHROME2, 16-bit unsigned (12 stored), modality rescale and a LINEAR window, explicit VR little endian
    v = np.rint(body(rows, cols, 1) * 4095).astype(np.uint16)
    ds = dataset("mono2-u16-window", ExplicitVRLittleEndian, rows, cols, "MONOCHROME2", 16, 12, False)
    ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType = "2", "-1024", "US"
    ds.WindowCenter, ds.WindowWidth = "3000", "4000"  # in rescaled units: stored ≈ 1012 … 3012
    add_sequence(ds)
    save("mono2-u16-window", ds, v[None])

    # 2. the same pixels as MONOCHROME1 (higher = darker): windowed, then inverted
    ds = dataset("mono1-u16-window", ExplicitVRLittleEndian, rows, cols, "MONOCHROME1", 16, 12, False)
    ds.RescaleSlope, ds.RescaleIntercept = "2", "-1024"
    ds.WindowCenter, ds.WindowWidth = "3000", "4000"
    save("mono1-u16-window", ds, v[None])

    # 3. 8-bit MONOCHROME2 without window (min-max), implicit VR little endian, two frames (the first is read)
    v8 = np.rint(body(rows, cols, 3) * 200 + 20).astype(np.uint8)
    ds = dataset("mono2-u8-implicit", ImplicitVRLittleEndian, rows, cols, "MONOCHROME2", 8, 8, False)
    add_sequence(ds)
    save("mono2-u8-implicit", ds, np.stack([v8, 255 - v8]))

    # 4. MONOCHROME1, signed 16-bit, rescale, no window (min-max, then inverted)
    vs = np.rint(body(rows, cols, 4) * 3000 - 1500).astype(np.int16)
    ds = dataset("mono1-s16-nowindow", ExplicitVRLittleEndian, rows, cols, "MONOCHROME1", 16, 16, True)
    ds.RescaleSlope, ds.RescaleIntercept = "0.5", "100"
    save("mono1-s16-nowindow", ds, vs[None])

    # 5. signed 12 bits stored in 16, sign-extended as writers do; deflated explicit VR little endian;
    #    two windows (the first applies) and the LINEAR_EXACT function
    v12 = np.rint(body(rows, cols, 5) * 4000 - 2000).astype(np.int16)
    ds = dataset("mono2-s12-deflated", DeflatedExplicitVRLittleEndian, rows, cols, "MONOCHROME2", 16, 12, True)
    ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = ["0", "500"], ["3000", "100"], "LINEAR_EXACT"
    save("mono2-s12-deflated", ds, v12[None])

    # 6. SIGMOID window, explicit VR big endian (retired syntax, still met)
    ds = dataset("mono2-u16-sigmoid-bigendian", ExplicitVRBigEndian, rows, cols, "MONOCHROME2", 16, 12, False)
    ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = "2048", "1500", "SIGMOID"
    save("mono2-u16-sigmoid-bigendian", ds, v[None])

    # 7. 8-bit RGB, interleaved
    rgb = np.stack([np.rint(body(rows, cols, s) * 255).astype(np.uint8) for s in (7, 8, 9)], axis=-1)
    ds = dataset("rgb8", ExplicitVRLittleEndian, rows, cols, "RGB", 8, 8, False, samples=3)
    save("rgb8", ds, rgb[None])

    # 8. bits outside BitsStored are not part of the value (PS3.5 8.1.1; they may hold overlays): unsigned 12 bits
    #    with garbage in the top 4, and signed 12 bits written WITHOUT sign extension. pydicom 2.3's pixel_array
    #    keeps those bits, so the reference masks and sign-extends here itself.
    ds = dataset("mono2-u12-highbits", ExplicitVRLittleEndian, rows, cols, "MONOCHROME2", 16, 12, False)
    ds.WindowCenter, ds.WindowWidth = "2048", "4096"
    noise = (np.random.default_rng(11).integers(0, 16, (rows, cols)) << 12).astype(np.uint16)
    save("mono2-u12-highbits", ds, (v | noise)[None], fix=lambda raw: raw.astype(np.int64) & 0x0FFF)
    ds = dataset("mono2-s12-unextended", ExplicitVRLittleEndian, rows, cols, "MONOCHROME2", 16, 12, True)
    save("mono2-s12-unextended", ds, (v12.astype(np.uint16) & 0x0FFF)[None],
         fix=lambda raw: ((raw.astype(np.int64) & 0x0FFF) ^ 0x0800) - 0x0800)

    # 9. JPEG Baseline: encapsulated (a stand-in JPEG, SOI + EOI), to be refused by name
    ds = dataset("jpeg-baseline", JPEGBaseline8Bit, rows, cols, "MONOCHROME2", 8, 8, False)
    ds.PixelData = encapsulate([b"\xff\xd8\xff\xd9"])
    ds["PixelData"].is_undefined_length = True
    ds["PixelData"].VR = "OB"
    path = os.path.join(OUT, "dicom-jpeg-baseline.dcm")
    ds.save_as(path, write_like_original=False)
    print("%-28s %-22s %7d bytes" % ("jpeg-baseline", JPEGBaseline8Bit.name, os.path.getsize(path)))


if __name__ == "__main__":
    main()
