# Building your deep neural network, step by step — your file.
# Generated from solutions/deep_nn.py by `autograder generate`.
# Replace each `raise NotImplementedError()` with your code, then run `pytest` in this folder
# or `autograder check deep_nn.py`.
# %% [markdown]
# # Building your deep neural network, step by step
#
# You will build an **L-layer** neural network out of small functions: one
# linear step, one activation, one layer forward and backward, and the loops
# that chain them. The hidden layers use **ReLU**, the output layer a **sigmoid**.
#
# Conventions used throughout (they are the ones of the lectures):
#
# - examples are stored in **columns**: `X` has shape `(n_x, m)` and `Y` has
#   shape `(1, m)`, where `m` is the number of examples;
# - `layer_dims = [n_0, n_1, …, n_L]` lists the sizes of the layers, `n_0 = n_x`;
#   the network has `L = len(layer_dims) - 1` layers with parameters;
# - layer `l` has `W{l}` of shape `(n_l, n_{l-1})` and `b{l}` of shape `(n_l, 1)`;
# - `A0 = X`, and the output `AL` has shape `(1, m)`.
#
# Check yourself at any point by running `check("function_name")` in a cell, or
# `pytest` in this folder.

# %%
import numpy as np
from autograder import check  # check("function_name") grades your work so far

# %% [markdown]
# ## 1. The activations (given)
#
# `sigmoid(Z)` and `relu(Z)` return the activation **and** `Z` itself, which the
# backward pass needs: keep it in the layer's cache as the *activation cache*.


# %%
def sigmoid(Z):
    """The logistic function, finite for any Z. Returns (A, cache) where cache is Z."""
    Z = np.asarray(Z, dtype=float)
    e = np.exp(-np.abs(Z))
    A = np.where(Z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return A, Z


def relu(Z):
    """The rectified linear unit max(0, Z). Returns (A, cache) where cache is Z."""
    A = np.maximum(0, Z)
    return A, Z


# %% [markdown]
# ## 2. Initialisation
#
# `initialize_parameters_deep(layer_dims)` returns a dict with `W1`, `b1`, …, `WL`, `bL`:
#
# - `W{l} = np.random.randn(n_l, n_{l-1}) / np.sqrt(n_{l-1})` — random, so that
#   the units of a layer do not all learn the same thing, and scaled by
#   $1/\sqrt{n_{l-1}}$ so that the signal neither explodes nor dies out as it goes
#   through many layers (the `* 0.01` of the shallow network is too small for a deep one);
# - `b{l} = np.zeros((n_l, 1))`.


# %%
def initialize_parameters_deep(layer_dims):
    """W{l} random with scale 1/sqrt(n_{l-1}), b{l} zeros, for l = 1 … L."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 3. Forward propagation
#
# One layer is a linear step followed by an activation:
#
# $$Z^{[l]} = W^{[l]} A^{[l-1]} + b^{[l]}, \qquad A^{[l]} = g^{[l]}(Z^{[l]})$$
#
# - `linear_forward(A, W, b)` returns `Z` and the *linear cache* `(A, W, b)`;
# - `linear_activation_forward(A_prev, W, b, activation)` returns `A` and the cache
#   `(linear_cache, activation_cache)`, where the activation cache is `Z`;
#   `activation` is `"relu"` or `"sigmoid"`;
# - `L_model_forward(X, parameters)` runs layers `1 … L-1` with ReLU and layer `L`
#   with the sigmoid, and returns `AL` and the list `caches` of the `L` layer caches
#   (`caches[l - 1]` belongs to layer `l`).


# %%
def linear_forward(A, W, b):
    """Z = W·A + b, and the cache (A, W, b) for the backward pass."""
    # YOUR CODE HERE
    raise NotImplementedError()


def linear_activation_forward(A_prev, W, b, activation):
    """One layer: the linear step, then the activation ("relu" or "sigmoid")."""
    # YOUR CODE HERE
    raise NotImplementedError()


def L_model_forward(X, parameters):
    """[LINEAR -> RELU] * (L-1) -> LINEAR -> SIGMOID; returns AL and the L caches."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 4. The cost
#
# $J = -\frac{1}{m} \sum_{i} \big(y^{(i)} \log a^{[L](i)} + (1 - y^{(i)}) \log(1 - a^{[L](i)})\big)$,
# the **mean** of the per-example losses. Return a Python float.


# %%
def compute_cost(AL, Y):
    """Cross-entropy cost J: the mean of the per-example losses."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 5. Backward propagation, one layer
#
# Given $dZ^{[l]}$ (the gradient of the loss of each example with respect to
# $Z^{[l]}$), the linear step gives
#
# | step | formula | shape |
# |---|---|---|
# | `dW` | $\frac{1}{m}\, dZ^{[l]} A^{[l-1]T}$ | `(n_l, n_{l-1})` |
# | `db` | $\frac{1}{m} \sum_i dZ^{[l](i)}$ (keep the column: `keepdims=True`) | `(n_l, 1)` |
# | `dA_prev` | $W^{[l]T} dZ^{[l]}$ (no $\frac{1}{m}$: it is per example) | `(n_{l-1}, m)` |
#
# The activation's backward step turns $dA^{[l]}$ into
# $dZ^{[l]} = dA^{[l]} * g'(Z^{[l]})$ (elementwise), with `cache = Z`:
#
# - ReLU: $g'(z) = 1$ where $z > 0$ and $0$ elsewhere — copy `dA` and set it to 0
#   where `Z <= 0` (do not change `dA` itself);
# - sigmoid: $g'(z) = \sigma(z)(1 - \sigma(z))$ — compute $s = \sigma(Z)$ first.
#
# `linear_activation_backward(dA, cache, activation)` chains the two and returns
# `(dA_prev, dW, db)`.


# %%
def linear_backward(dZ, cache):
    """Gradients of the linear step Z = W·A_prev + b; cache is (A_prev, W, b)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_backward(dA, cache):
    """dZ = dA * relu'(Z), where cache is Z."""
    # YOUR CODE HERE
    raise NotImplementedError()


def sigmoid_backward(dA, cache):
    """dZ = dA * σ'(Z) = dA * s * (1 - s) with s = σ(Z), where cache is Z."""
    # YOUR CODE HERE
    raise NotImplementedError()


def linear_activation_backward(dA, cache, activation):
    """One layer backward: the activation's step, then the linear step."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 6. Backward propagation through the whole network
#
# Start from the output: with the cross-entropy loss and $A^{[L]} = \sigma(Z^{[L]})$,
#
# $$dA^{[L]} = -\left(\frac{Y}{A^{[L]}} - \frac{1 - Y}{1 - A^{[L]}}\right)$$
#
# Then go through the layers **backwards**: layer `L` (sigmoid) with `caches[L - 1]`,
# then layers `L-1, …, 1` (ReLU) with `caches[l - 1]`, each time feeding the
# `dA_prev` of a layer into the layer before it. Store (course convention):
#
# - `grads["dA" + str(l - 1)]` — the `dA_prev` that layer `l` returns (`dA0` is for `X`),
# - `grads["dW" + str(l)]`, `grads["db" + str(l)]`.


# %%
def L_model_backward(AL, Y, caches):
    """Gradients dA{l-1}, dW{l}, db{l} of the cost for every layer l = L … 1."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 7. Gradient descent
#
# `update_parameters` takes one step $W^{[l]} \leftarrow W^{[l]} - \alpha\, dW^{[l]}$,
# $b^{[l]} \leftarrow b^{[l]} - \alpha\, db^{[l]}$ for **every** layer `l = 1 … L`
# and returns **new** arrays (do not change the `parameters` you were given in place).


# %%
def update_parameters(parameters, grads, learning_rate):
    """One gradient-descent step on every layer; leaves the inputs untouched."""
    # YOUR CODE HERE
    raise NotImplementedError()


# %% [markdown]
# ## 8. Train a deep network (not graded)
#
# This cell puts your functions together: a 4-layer network learns two
# interleaving half-moons, which no straight line can separate.


# %%
def load_moons(m=400, noise=0.15, seed=1):
    """Two interleaving half circles in the plane, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    half = m // 2
    t = rng.uniform(0, np.pi, m)
    X = np.vstack([np.cos(t), np.sin(t)])
    X[:, half:] = np.vstack([1 - np.cos(t[half:]), 0.5 - np.sin(t[half:])])
    X += rng.normal(0, noise, X.shape)
    Y = np.zeros((1, m))
    Y[0, half:] = 1
    return X, Y


def L_layer_model(X, Y, layer_dims, learning_rate=0.3, num_iterations=3000, print_cost=False):
    """Gradient descent on an L-layer network built from your functions."""
    np.random.seed(1)
    params = initialize_parameters_deep(layer_dims)
    for i in range(num_iterations):
        AL, caches = L_model_forward(X, params)
        cost = compute_cost(AL, Y)
        grads = L_model_backward(AL, Y, caches)
        params = update_parameters(params, grads, learning_rate)
        if print_cost and i % 500 == 0:
            print(f"Cost after iteration {i}: {cost:.6f}")
    return params


if __name__ == "__main__":
    import matplotlib.pyplot as plt

    X, Y = load_moons()
    parameters = L_layer_model(X, Y, [2, 10, 6, 4, 1], print_cost=True)
    predictions = (L_model_forward(X, parameters)[0] > 0.5).astype(int)
    accuracy = float(np.mean(predictions == Y))
    print(f"Training accuracy: {accuracy:.1%}")
    xx, yy = np.meshgrid(np.linspace(-1.5, 2.5, 300), np.linspace(-1.2, 1.7, 300))
    grid = np.vstack([xx.ravel(), yy.ravel()])
    zz = (L_model_forward(grid, parameters)[0] > 0.5).astype(int).reshape(xx.shape)
    plt.contourf(xx, yy, zz, cmap=plt.cm.Spectral, alpha=0.6)
    plt.scatter(X[0], X[1], c=Y[0], cmap=plt.cm.Spectral, s=12, edgecolors="k")
    plt.title(f"Decision boundary of a 4-layer network ({accuracy:.0%})")
    plt.show()
