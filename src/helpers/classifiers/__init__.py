"""A backbone with a softmax head: frozen, fine-tuned whole, or with named layer groups trainable.

Reports 02 and 03 train the same kind of model: an ImageNet backbone, global pooling, a dense
softmax head over the task's classes. Report 03 reads the head's accuracy; report 02 drops the
head after training and measures the encoder's LOO top-1 (the pooled feature vector).

>>> clf = classifiers.build("mobilenetv2", n_classes=6, trainable=("block_16", "top"))
>>> result = classifiers.fit(clf, (x_train, y_train), (x_val, y_val), Recipe(epochs=5))
>>> vectors = classifiers.embed(clf, x_test)         # the encoder, head dropped

What trains (``trainable``): ``"frozen"`` (feature extraction: only the head), ``"finetune_all"``
(every layer with weights), or layer-group names from :func:`helpers.backbones.layer_groups`
(``"stage5"`` of ResNet50, ``("stage7", "block6c", "block6d", "top")`` of EfficientNetB0,
``("block_16", "top")`` of MobileNetV2). BatchNorm layers are always left non-trainable, which
in Keras 3 is what keeps them in inference mode inside ``fit``: passing ``training=False`` when
calling a base inside a functional model does *not* (the outer ``training=True`` of ``fit``
overrides it), and the shared ImageNet files have BatchNorm folded into the convolutions, so
batch statistics would wreck them.

Speed on a CPU: the layers before the first trainable one never change, so their outputs can be
computed once (:func:`activations`, for a few augmented copies of each image) and training runs
on the rest of the network only. ``fit``, ``embed`` and ``predict`` accept either images or
such :class:`Activations`; results are the same as training on the images those copies came
from. Augmentation is report 02's: random crop and horizontal flip, on training data only.

Modules: ``model`` (:class:`Classifier`, :class:`Recipe`, building, which layers train),
``training`` (``fit``, trunk ``activations``, ``embed``/``predict``), ``finetune`` (runs scored
by LOO top-1 over a :class:`~helpers.studies.jacobsen2021.finetune.TrunkCache`, SupCon fine-tuning) and
``report02`` (report 02's configurations, numbers and tables).
"""

from helpers.classifiers.model import (
    MODES,
    OPTIMIZERS,
    Activations,
    Classifier,
    Recipe,
    TrainResult,
    build,
    from_base,
    reset,
    scheme_preprocess,
    set_trainable,
)
from helpers.classifiers.training import (
    accuracy,
    activations,
    batches,
    embed,
    fit,
    predict,
    submodel,
    trainable_cut,
)

__all__ = [
    "MODES", "OPTIMIZERS", "Activations", "Classifier", "Recipe", "TrainResult", "accuracy",
    "activations", "batches", "build", "embed", "fit", "from_base", "predict", "reset",
    "scheme_preprocess", "set_trainable", "submodel", "trainable_cut",
]
