"""Demo data: a realistic register with history and demo accounts (``lms-risk demo-data``)."""

from ..core.features import Feature
from .cli import demo_data

FEATURE = Feature(name="demo", commands=[demo_data], order=100)
