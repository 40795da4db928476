# Planar data classification with one hidden layer — your file.
# Generated from solutions/one_hidden_layer.py by `autograder generate`.
# Replace each `raise NotImplementedError()` with your code, then run `pytest` in this folder
# or `autograder check one_hidden_layer.py`.
# %% [markdown]
# # Planar data classification with one hidden layer
#
# You will build a neural network with **one hidden layer** and train it to
# separate a two-class "flower" of points that no straight line can split.
#
# Conventions used throughout (they are the ones of the lectures):
#
# - examples are stored in **columns**: `X` has shape `(n_x, m)` and `Y` has
#   shape `(1, m)`, where `m` is the number of examples;
# - `W1` is `(n_h, n_x)`, `b1` is `(n_h, 1)`, `W2` is `(n_y, n_h)`, `b2` is `(n_y, 1)`;
# - the hidden activation `g` is `tanh` (or `sigmoid` when `activation="sigmoid"`),
#   the output activation is always `sigmoid`.
#
# Check yourself at any point by running `check("function_name")` in a cell, or
# `pytest` in this folder.

# %%
import numpy as np
from autograder import check  # check("function_name") grades your work so far

# %% [markdown]
# ## 1. The sigmoid and its derivative
#
# $\sigma(z) = \dfrac{1}{1 + e^{-z}}$ and $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$.
#
# Note that the derivative is written in terms of $\sigma(z)$, **not** in terms of
# `z`: compute `s = sigmoid(z)` first, then `s * (1 - s)`. Both functions work
# elementwise on arrays of any shape and must stay finite for large `|z|`.


# %%
def sigmoid(z):
    """Elementwise logistic function, finite for any real input."""
    # YOUR CODE HERE
    raise NotImplementedError()


def sigmoid_derivative(z):
    """Elementwise derivative of the sigmoid, written with the sigmoid's own value."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 2. Layer sizes and initialisation
#
# `layer_sizes(X, Y)` returns `(n_x, n_h, n_y)` with `n_h = 4`.
#
# `initialize_parameters(n_x, n_h, n_y)` returns a dict with `W1`, `b1`, `W2`, `b2`:
# weights drawn from `np.random.randn(...) * 0.01` (small, and random so that the
# hidden units do not all learn the same thing), biases set to zeros.


# %%
def layer_sizes(X, Y):
    """Sizes of the input, hidden and output layers."""
    # YOUR CODE HERE
    raise NotImplementedError()


def initialize_parameters(n_x, n_h, n_y):
    """Small random weights break the symmetry between hidden units; biases start at 0."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. Forward propagation
#
# $$Z^{[1]} = W^{[1]} X + b^{[1]}, \quad A^{[1]} = g(Z^{[1]}), \quad
#   Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}, \quad A^{[2]} = \sigma(Z^{[2]})$$
#
# Return `A2` and a `cache` dict with `Z1`, `A1`, `Z2`, `A2`: backward propagation
# needs them. `activation` chooses `g`: `"tanh"` (default) or `"sigmoid"`.


# %%
def forward_propagation(X, parameters, activation="tanh"):
    """Forward pass; returns A2 and the cache that backward propagation reads."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. The cost
#
# The loss of one example is
# $\mathcal{L}(a, y) = -\big(y \log a + (1 - y) \log(1 - a)\big)$ and the cost is
# its **mean** over the `m` examples: $J = \frac{1}{m} \sum_{i} \mathcal{L}(a^{(i)}, y^{(i)})$.
# Return a Python float.


# %%
def compute_cost(A2, Y):
    """Cross-entropy cost J: the mean of the per-example losses."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Backward propagation
#
# Apply the chain rule from the cost back to the parameters:
#
# | step | formula | shape |
# |---|---|---|
# | `dZ2` | $A^{[2]} - Y$ | `(n_y, m)` |
# | `dW2` | $\frac{1}{m}\, dZ^{[2]} A^{[1]T}$ | `(n_y, n_h)` |
# | `db2` | $\frac{1}{m} \sum_i dZ^{[2]}$ (keep the column: `keepdims=True`) | `(n_y, 1)` |
# | `dZ1` | $W^{[2]T} dZ^{[2]} * g'(Z^{[1]})$ | `(n_h, m)` |
# | `dW1` | $\frac{1}{m}\, dZ^{[1]} X^T$ | `(n_h, n_x)` |
# | `db1` | $\frac{1}{m} \sum_i dZ^{[1]}$ (`keepdims=True`) | `(n_h, 1)` |
#
# - `dZ` is the derivative of the loss **of each example** $\mathcal{L}$, so it has
#   no $\frac{1}{m}$; `dW` and `db` are derivatives of the cost $J$, the **mean**
#   of the losses, which is where the $\frac{1}{m}$ comes from.
# - The transpose in $W^{[2]T} dZ^{[2]}$ comes from $Z^{[2]} = W^{[2]} A^{[1]} + b^{[2]}$:
#   each hidden unit $j$ feeds every output unit $i$ through $W^{[2]}_{ij}$, so its
#   gradient sums $W^{[2]}_{ij}\, dZ^{[2]}_i$ over $i$ — a product with $W^{[2]T}$.
# - $g'(Z^{[1]})$: for tanh it is $1 - \tanh^2(Z^{[1]}) = 1 - (A^{[1]})^2$; for the
#   sigmoid it is $\sigma(Z^{[1]})(1 - \sigma(Z^{[1]})) = A^{[1]}(1 - A^{[1]})$.


# %%
def backward_propagation(parameters, cache, X, Y, activation="tanh"):
    """Gradients of the cost J with respect to W1, b1, W2, b2."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. Gradient descent and the model
#
# `update_parameters` takes one step $\theta \leftarrow \theta - \alpha\, d\theta$ and
# returns **new** arrays (do not change the `parameters` you were given in place).
# `nn_model` puts everything together; `predict` thresholds $A^{[2]}$ at 0.5.


# %%
def update_parameters(parameters, grads, learning_rate=1.2):
    """One gradient-descent step; returns new arrays, leaves the inputs untouched."""
    # YOUR CODE HERE
    raise NotImplementedError()


def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):
    """Train the network with gradient descent and return the learnt parameters."""
    # YOUR CODE HERE
    raise NotImplementedError()


def predict(parameters, X, activation="tanh"):
    """Class 1 where the network's output probability exceeds 0.5."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 7. Train on the flower and look at the decision boundary
#
# This cell is not graded. It builds the planar "flower" dataset, trains your
# model and plots what it learnt.


# %%
def load_planar_dataset(m=400, seed=1):
    """A two-class flower in the plane: petals alternate between the classes."""
    rng = np.random.default_rng(seed)
    per_class = m // 2
    petals = 4
    X = np.zeros((2, m))
    Y = np.zeros((1, m))
    for label in range(2):
        idx = slice(per_class * label, per_class * (label + 1))
        theta = np.linspace(label * np.pi, (label + 1) * np.pi, per_class)
        theta = theta + rng.normal(0, 0.2, per_class)
        radius = 4 * np.sin(petals * theta) + rng.normal(0, 0.2, per_class)
        X[:, idx] = np.vstack([radius * np.sin(theta), radius * np.cos(theta)])
        Y[0, idx] = label
    return X, Y


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    X, Y = load_planar_dataset()
    parameters = nn_model(X, Y, n_h=4, num_iterations=5000, print_cost=True)
    accuracy = float(np.mean(predict(parameters, X) == Y))
    print(f"Training accuracy: {accuracy:.1%}")
    xx, yy = np.meshgrid(np.linspace(-4.5, 4.5, 300), np.linspace(-4.5, 4.5, 300))
    grid = np.vstack([xx.ravel(), yy.ravel()])
    zz = predict(parameters, grid).reshape(xx.shape)
    plt.contourf(xx, yy, zz, cmap=plt.cm.Spectral, alpha=0.6)
    plt.scatter(X[0], X[1], c=Y[0], cmap=plt.cm.Spectral, s=12, edgecolors="k")
    plt.title(f"Decision boundary, hidden layer of 4 tanh units ({accuracy:.0%})")
    plt.show()
