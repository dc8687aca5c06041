"""Fetz et al. (2021)'s method card: every setting that can change notebook 04's numbers, the
report's beside ours (standard profile; the paper profile's value where it differs)."""

from __future__ import annotations

from helpers.method import NOT_STATED, MethodCard, Setting

_S = Setting

CARD = MethodCard("04 · Fetz et al. 2021, the query/gallery challenge", (
    _S("data", "data", "the course challenge's images (training set, gallery and queries)",
       "flowers (5 classes) for the class-level rows; Holidays for keypoints against CNN features",
       "the challenge's images were never published; flowers share a category, not an "
       "object, which favours CNN features over keypoints (hence Holidays for SURF)", True,
       "section 1"),
    _S("holidays", "data", "the challenge's places (the report: 'identifying places')",
       "INRIA Holidays as shared here: 808 photos of 300 places, 224 px; every photo a query "
       "against the other 807",
       "the same place photographed again is what keypoint matching is for; the CNN there is the "
       "frozen MobileNetV2's pooled features (the dense head learned flower classes)", True,
       "sections 1.1, 2.2.2"),
    _S("queries", "split", "top-1 ... top-3 ... top-10 over the challenge's queries",
       "every one of the 200 flower test images a query against the other 199 (its own image "
       "left out); one set for every approach",
       "five times the 40 queries of a query/gallery split, without retraining. The report's "
       "scores fit one 210-query set as well as 15 (ResNet50, CAE) and 70 (SURF) queries: "
       "whether its sets differed cannot be told from its numbers", True, "section 3"),
    _S("backbone", "backbone", "ResNet50, a pre-trained model implemented in Keras ... "
       "ImageNet", "MobileNetV2 (ImageNet); ResNet50 in the paper profile",
       "ResNet50's ImageNet weights are not at hand offline", True, "section 1.2.1"),
    _S("preprocessing", "preprocessing", "accepts as input images of size of 224x224",
       "each backbone's preprocess_input, 224 px (CAE 64, CNN 96)",
       "the CAE and small CNN run on smaller images to fit a CPU (paper profile: 224)", True,
       "section 1.2.1"),
    _S("features", "pooling", "a list of normalized features ... Euclidean distance",
       "pooled features through the dense head, L2-normalised, cosine",
       "normalised Euclidean distance ranks exactly as cosine similarity", False,
       "section 2.2.1"),
    _S("descriptor", "evaluation", "the units value of the last dense layer were equal to the "
       "number of classes in the training set ... the softmax",
       "the 5-class softmax posterior of the fitted model (the report's); its 512-wide hidden "
       "layer beside it",
       "the queries' classes are the training classes here, so a class posterior ranks by the "
       "predicted class: that favours every supervised approach (dense head, Siamese network, "
       "small CNN) over the unsupervised ones (CAE, VAE, SURF); the challenge's query places "
       "may not have been its training classes", True, "section 1.2.1"),
    _S("dense head", "model", "a few dense layers at the end of the ResNet50 ... the softmax",
       "dense layers + softmax on frozen features", "the report's layer sizes are not given",
       False, "section 1.2.1"),
    _S("siamese", "model", "a contrastive loss ... considering a margin",
       "MobileNetV2 inside, dense + BN, sigmoid last layer, contrastive loss",
       "the report's final version; an L2-normalised variant is shown beside it", False,
       "section 2.2.2"),
    _S("cae", "model", "Convolutional Autoencoder ... Gaussian distribution ... MSE",
       "convs 32-64, Gaussian noise 0.3, MSE", "the report's noise; filters are ours", False,
       "sections 1.2.3, 2.2.3"),
    _S("vae", "model", "four main convolutions, starting with a 32 filter convolution and three "
       "64-filter convolutions ... re-parametrization", "the same encoder, latent 32, binary "
       "cross-entropy + KL, Adam with gradient norms clipped at 1, 3 seeds; its latent means "
       "are the descriptor", "the report never scored its VAE; clipping is ours (the report: "
       "'the optimizer was used to contrast the typical oscillations')", True,
       "section 1.2.4"),
    _S("small cnn", "model", "Conv16-32-64, dense 1024, softmax over 22 classes",
       "Conv16-32-64, dense 1024, softmax over 5 classes", "5 flower classes here", True,
       "section 1.2.5, figure 3"),
    _S("surf", "model", "keypoints and descriptor and with a brute force feature matching",
       "our SURF (fast Hessian + 64-d), brute force, ratio test 0.75, ranked by good matches; "
       "the matching is written on the notebook's page",
       "SURF is not in the OpenCV wheels; helpers.surf implements it", False,
       "section 2.2.5"),
    _S("keypoint cap", "model", NOT_STATED,
       "at most 250 keypoints per image (the strongest) on flowers, 64 on Holidays; images "
       "resized to 224 px (the shared copies are at most 256 px, Holidays 384 px)",
       "our reconstruction, to fit a CPU: Holidays' 652,056 pairs take minutes with 64 (about "
       "8.5 min for the three on the 2-core machine under load 8). Checked on Holidays' first 150 "
       "photos (every one a query): SURF top-1 0.220 with 64 keypoints, 0.207 with 250; SIFT "
       "0.487 and 0.560: the cap costs SIFT a little and not SURF", True),
    _S("loss", "loss", "contrastive loss (Siamese); MSE (autoencoder); categorical "
       "cross-entropy (CNN)", "the same three", "as the report", False, "section 2.2"),
    _S("optimizer", "optimizer", "we choose to use the Adam function", "Adam", "as the report",
       False, "section 1.2.5"),
    _S("learning rate", "learning rate", "The starting learning rate was reduced from 10e-3 "
       "to 10e-6", "1e-3", "the report's first rate (for the CAE); its later reductions are not "
       "tied to a reported number", True, "section 1.2.3"),
    _S("epochs", "epochs", "we decided to set it to 20", "head 30, CAE 12, CNN 8; best "
       "validation epoch kept", "CPU-sized (paper profile: 100, 50, 20)", True,
       "section 3"),
    _S("batch size", "batch size", NOT_STATED, "32 (paper profile 16)",
       "our reconstruction: the report tuned the batch size without giving it", None),
    _S("augmentation", "augmentation", "Both the Siamese Network model and ResNet50 have been "
       "dealing with original and augmented images", "horizontal flips of the training images",
       "the report's augmentation is not specified beyond 'augmented'; flips are the "
       "ImageDataGenerator default it likely used", None, "section 2.1"),
    _S("selection", "selection", NOT_STATED, "best validation epoch of each trainer",
       "our reconstruction: the report saved checkpoints without saying which it kept", None),
    _S("seeds", "seeds", NOT_STATED, "3 per trainer (the VAE too); the keypoint methods once",
       "our reconstruction: the report shows one run per approach", None),
))
