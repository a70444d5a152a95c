from labeling.models.annotation import Annotation, AnnotationHistory, Box
from labeling.models.annotator_tally import AnnotatorTally
from labeling.models.export import Export
from labeling.models.image import Image
from labeling.models.ingest_chunk import IngestChunk
from labeling.models.membership import Membership
from labeling.models.prediction import MLBackend, ModelRun, Prediction, PredictionUse
from labeling.models.project import LabelClass, Project
from labeling.models.review import QualityReport, Review
from labeling.models.task import Lease, Task

__all__ = [
    "Annotation",
    "AnnotationHistory",
    "AnnotatorTally",
    "Box",
    "Export",
    "Image",
    "IngestChunk",
    "LabelClass",
    "Lease",
    "Membership",
    "MLBackend",
    "ModelRun",
    "Prediction",
    "PredictionUse",
    "Project",
    "QualityReport",
    "Review",
    "Task",
]
