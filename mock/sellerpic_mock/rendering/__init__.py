"""Pillow work: result images and videos built from the inputs, preset and sample pictures.

Everything here is a pure function of its inputs, so the same inputs give the same bytes.
"""
