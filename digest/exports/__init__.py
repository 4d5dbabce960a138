"""Exports: one edition in one language as a file for another place it is read (see
:mod:`digest.exports.registry`)."""
