"""Contains all the data models used in inputs/outputs"""

from .credit_usage import CreditUsage
from .credit_usage_response import CreditUsageResponse
from .download_format import DownloadFormat
from .download_url import DownloadUrl
from .download_url_response import DownloadUrlResponse
from .envelope import Envelope
from .garment_image import GarmentImage
from .image_to_video_request import ImageToVideoRequest
from .instruct_edit_request import InstructEditRequest
from .known_task_status import KnownTaskStatus
from .lifestyle_scene_request import LifestyleSceneRequest
from .preset import Preset
from .preset_page import PresetPage
from .preset_page_response import PresetPageResponse
from .preset_type import PresetType
from .prompt_segmentation_request import PromptSegmentationRequest
from .remove_background_request import RemoveBackgroundRequest
from .replace_background_request import ReplaceBackgroundRequest
from .replace_type import ReplaceType
from .result_item import ResultItem
from .segment_image_request import SegmentImageRequest
from .swap_model_request import SwapModelRequest
from .task_created import TaskCreated
from .task_created_response import TaskCreatedResponse
from .task_result import TaskResult
from .task_status_response import TaskStatusResponse
from .try_on_accessories_request import TryOnAccessoriesRequest
from .try_on_apparel_request import TryOnApparelRequest
from .upload_asset_file_request import UploadAssetFileRequest
from .upload_format import UploadFormat
from .upload_url import UploadUrl
from .upload_url_response import UploadUrlResponse
from .uploaded_asset import UploadedAsset
from .uploaded_asset_response import UploadedAssetResponse

__all__ = (
    "CreditUsage",
    "CreditUsageResponse",
    "DownloadFormat",
    "DownloadUrl",
    "DownloadUrlResponse",
    "Envelope",
    "GarmentImage",
    "ImageToVideoRequest",
    "InstructEditRequest",
    "KnownTaskStatus",
    "LifestyleSceneRequest",
    "Preset",
    "PresetPage",
    "PresetPageResponse",
    "PresetType",
    "PromptSegmentationRequest",
    "RemoveBackgroundRequest",
    "ReplaceBackgroundRequest",
    "ReplaceType",
    "ResultItem",
    "SegmentImageRequest",
    "SwapModelRequest",
    "TaskCreated",
    "TaskCreatedResponse",
    "TaskResult",
    "TaskStatusResponse",
    "TryOnAccessoriesRequest",
    "TryOnApparelRequest",
    "UploadAssetFileRequest",
    "UploadFormat",
    "UploadUrl",
    "UploadUrlResponse",
    "UploadedAsset",
    "UploadedAssetResponse",
)
