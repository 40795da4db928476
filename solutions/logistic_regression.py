# %% [markdown]
# # Logistic regression as a neural network
#
# You will build a logistic-regression classifier — a neural network with a
# single sigmoid unit and no hidden layer — and train it with gradient descent to
# tell two kinds of small images apart.
#
# Conventions used throughout (they are the ones of the lectures):
#
# - examples are stored in **columns**: `X` has shape `(n_x, m)` and `Y` has
#   shape `(1, m)`, where `n_x` is the number of features (pixels) and `m` the
#   number of examples;
# - the weights `w` are a **column** of shape `(n_x, 1)` and the bias `b` is a
#   plain Python number;
# - for one example, $z = w^T x + b$, $a = \sigma(z)$ is the predicted probability
#   that $y = 1$, and the loss is
#   $\mathcal{L}(a, y) = -\big(y \log a + (1 - y) \log(1 - a)\big)$.
#
# Check yourself at any point by running `check("function_name")` in a cell, or
# `pytest` in this folder.

# %%
import numpy as np

# %% [markdown]
# ## 1. The sigmoid
#
# $\sigma(z) = \dfrac{1}{1 + e^{-z}}$, elementwise on an array of any shape.
# It must stay finite for large `|z|` (the grader tries `|z|` up to 1000):
# `np.exp(-z)` overflows to `inf` for `z = -1000`, which is harmless in
# `1 / (1 + np.exp(-z))` (it gives 0) but not in `np.exp(z) / (1 + np.exp(z))`
# (`inf / inf` is `nan`).


# %%
def sigmoid(z):
    """Elementwise logistic function, finite for any real input."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


# %% [markdown]
# ## 2. Initialising the parameters
#
# For logistic regression the parameters can start at zero (there is only one
# unit, so there is no symmetry to break). `initialize_with_zeros(dim)` returns
# `w`, a column of zeros of shape `(dim, 1)` — not `(dim,)` — and `b = 0.0`.


# %%
def initialize_with_zeros(dim):
    """w: zeros of shape (dim, 1); b: the number 0.0."""
    ### BEGIN SOLUTION
    w = np.zeros((dim, 1))
    b = 0.0
    return w, b
    ### END SOLUTION


# %% [markdown]
# ## 3. Forward and backward propagation
#
# `propagate(w, b, X, Y)` computes, for all `m` examples at once:
#
# | step | formula | shape |
# |---|---|---|
# | `A` | $\sigma(w^T X + b)$ | `(1, m)` |
# | `cost` | $J = -\frac{1}{m} \sum_{i} \big(y^{(i)} \log a^{(i)} + (1 - y^{(i)}) \log(1 - a^{(i)})\big)$ | a number |
# | `dw` | $\frac{\partial J}{\partial w} = \frac{1}{m} X (A - Y)^T$ | `(n_x, 1)` |
# | `db` | $\frac{\partial J}{\partial b} = \frac{1}{m} \sum_{i} (a^{(i)} - y^{(i)})$ | a number |
#
# and returns `grads = {"dw": dw, "db": db}` and `cost` (a Python number).
#
# - $A - Y$ is the derivative of each example's loss with respect to its $z$: it
#   has no $\frac{1}{m}$. The cost $J$ is the **mean** of the losses, so both
#   gradients of $J$ carry exactly one $\frac{1}{m}$.
# - `dw` must have the shape of `w`, `(n_x, 1)`: `X` is `(n_x, m)` and
#   $(A - Y)^T$ is `(m, 1)`.
# - A model that has learnt well predicts some examples with complete confidence:
#   `a` rounds to exactly `1.0` (or `0.0`), and `(1 - y) * np.log(1 - a)` becomes
#   `0 * (-inf) = nan`. The grader checks that your cost stays finite for such
#   saturated predictions. Clip `A` away from 0 and 1 before taking logs, or use
#   $-\log a = \log(1 + e^{-z})$ and $-\log(1 - a) = \log(1 + e^{z})$
#   (`np.logaddexp(0, -Z)` and `np.logaddexp(0, Z)`), which are finite for any `z`.


# %%
def propagate(w, b, X, Y):
    """Cost J and its gradients dw, db for the parameters w, b on the examples X, Y."""
    ### BEGIN SOLUTION
    m = X.shape[1]
    Z = np.dot(w.T, X) + b
    A = sigmoid(Z)
    # log(a) = -log(1 + e^(-z)) and log(1 - a) = -log(1 + e^z): finite for every z
    log_a = -np.logaddexp(0, -Z)
    log_1_minus_a = -np.logaddexp(0, Z)
    cost = float(-np.sum(Y * log_a + (1 - Y) * log_1_minus_a) / m)
    dZ = A - Y
    dw = np.dot(X, dZ.T) / m
    db = float(np.sum(dZ) / m)
    grads = {"dw": dw, "db": db}
    return grads, cost
    ### END SOLUTION


# %% [markdown]
# ## 4. Optimisation
#
# `optimize` runs `num_iterations` steps of gradient descent,
# $w \leftarrow w - \alpha\, dw$ and $b \leftarrow b - \alpha\, db$ with
# $\alpha$ = `learning_rate`, and records the cost of every 100th iteration
# (iterations 0, 100, 200, …) in the list `costs`. It returns
# `params = {"w": w, "b": b}`, the last `grads = {"dw": dw, "db": db}` it
# computed, and `costs`. Do not change the `w` you were given in place
# (`w -= …` would): compute a new array.


# %%
def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """Gradient descent on w and b; the cost is recorded every 100 iterations."""
    ### BEGIN SOLUTION
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        dw = grads["dw"]
        db = grads["db"]
        w = w - learning_rate * dw
        b = b - learning_rate * db
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print(f"Cost after iteration {i}: {cost:.6f}")
    params = {"w": w, "b": b}
    grads = {"dw": dw, "db": db}
    return params, grads, costs
    ### END SOLUTION


# %% [markdown]
# ## 5. Prediction
#
# `predict(w, b, X)` returns a `(1, m)` array of labels: 1 where
# $a = \sigma(w^T x + b) > 0.5$, else 0 (labels, not probabilities).


# %%
def predict(w, b, X):
    """0/1 labels of shape (1, m): 1 where the predicted probability exceeds 0.5."""
    ### BEGIN SOLUTION
    A = sigmoid(np.dot(w.T, X) + b)
    return (A > 0.5).astype(float)
    ### END SOLUTION


# %% [markdown]
# ## 6. The model
#
# `model` puts everything together: initialise with zeros (`n_x` features, so
# `X_train.shape[0]`), optimise on the training set with the given
# `num_iterations` and `learning_rate`, predict on both sets, and return a dict
# with `costs`, `Y_prediction_test`, `Y_prediction_train`, `w`, `b`,
# `learning_rate` and `num_iterations`.


# %%
def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    """Train logistic regression on (X_train, Y_train) and predict on both sets."""
    ### BEGIN SOLUTION
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w = params["w"]
    b = params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print(f"train accuracy: {np.mean(Y_prediction_train == Y_train):.1%}")
        print(f"test accuracy: {np.mean(Y_prediction_test == Y_test):.1%}")
    return {
        "costs": costs,
        "Y_prediction_test": Y_prediction_test,
        "Y_prediction_train": Y_prediction_train,
        "w": w,
        "b": b,
        "learning_rate": learning_rate,
        "num_iterations": num_iterations,
    }
    ### END SOLUTION


# %% [markdown]
# ## 7. Train on small images
#
# This cell is not graded. `load_dataset` makes a set of small colour images:
# in class 1 ("sunny") a warm, bright disc sits in the middle of the picture, in
# class 0 ("night") it does not. Each image is flattened into a column of
# `size * size * 3` pixel values and divided by 255 — the usual preprocessing —
# before training.


# %%
def load_dataset(m_train=200, m_test=50, size=16, seed=1):
    """Synthetic images: (train_x_orig, train_y, test_x_orig, test_y, classes), in the order
    of the course's lr_utils.load_dataset (whose notebooks unpack five values).

    train_x_orig is (m_train, size, size, 3) of uint8 pixels, train_y is (1, m_train) of 0/1,
    classes the names of the labels 0 and 1.
    """
    rng = np.random.default_rng(seed)
    m = m_train + m_test
    labels = (rng.random(m) < 0.5).astype(int)
    rows, cols = np.mgrid[0:size, 0:size]
    centre = (size - 1) / 2
    disc = ((rows - centre) ** 2 + (cols - centre) ** 2 <= (size / 3) ** 2).astype(float)
    warm = np.array([1.0, 0.7, 0.2])
    images = rng.uniform(40, 160, size=(m, size, size, 3))
    brightness = rng.uniform(0.2, 0.9, size=m) * labels + rng.uniform(0.0, 0.4, size=m) * (1 - labels)
    images += 95 * brightness[:, None, None, None] * disc[None, :, :, None] * warm
    images = np.clip(images, 0, 255).astype(np.uint8)
    classes = np.array([b"night", b"sunny"])
    return images[:m_train], labels[None, :m_train], images[m_train:], labels[None, m_train:], classes


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    train_x_orig, train_y, test_x_orig, test_y, classes = load_dataset()
    X_train = train_x_orig.reshape(train_x_orig.shape[0], -1).T / 255.0
    X_test = test_x_orig.reshape(test_x_orig.shape[0], -1).T / 255.0
    d = model(X_train, train_y, X_test, test_y, num_iterations=2000, learning_rate=0.5, print_cost=True)
    plt.plot(np.arange(len(d["costs"])) * 100, d["costs"])
    plt.xlabel("iteration")
    plt.ylabel("cost J")
    plt.title(f"Learning rate {d['learning_rate']}")
    plt.show()
