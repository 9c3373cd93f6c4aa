"""The worked example; a package only so that ``benchmarks/gen_data.py`` can import
``examples.generate``'s building blocks."""
