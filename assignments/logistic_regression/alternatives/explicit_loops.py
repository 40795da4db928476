"""Correct, the pre-vectorisation way: loops over the examples and the features
(math.exp per number, with the branch that cannot overflow)."""
import math

import numpy as np


def _sigmoid_scalar(t):
    if t >= 0:
        return 1.0 / (1.0 + math.exp(-t))
    e = math.exp(t)
    return e / (1.0 + e)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    out = np.zeros(z.shape)
    for idx in np.ndindex(z.shape):
        out[idx] = _sigmoid_scalar(z[idx])
    return out


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    for j in range(dim):
        w[j, 0] = 0.0
    return w, 0.0


def propagate(w, b, X, Y):
    n_x, m = X.shape
    cost = 0.0
    dw = np.zeros((n_x, 1))
    db = 0.0
    for i in range(m):
        z = b
        for j in range(n_x):
            z += w[j, 0] * X[j, i]
        a = _sigmoid_scalar(z)
        y = Y[0, i]
        # -log(a) = log(1 + e^-z) and -log(1 - a) = log(1 + e^z), without overflow
        if y == 1:
            cost += max(-z, 0) + math.log1p(math.exp(-abs(z)))
        else:
            cost += max(z, 0) + math.log1p(math.exp(-abs(z)))
        for j in range(n_x):
            dw[j, 0] += X[j, i] * (a - y)
        db += a - y
    return {"dw": dw / m, "db": db / m}, cost / m


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        new_w = np.zeros_like(w)
        for j in range(w.shape[0]):
            new_w[j, 0] = w[j, 0] - learning_rate * grads["dw"][j, 0]
        w = new_w
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    m = X.shape[1]
    labels = np.zeros((1, m))
    for i in range(m):
        z = b + sum(w[j, 0] * X[j, i] for j in range(X.shape[0]))
        labels[0, i] = 1.0 if _sigmoid_scalar(z) > 0.5 else 0.0
    return labels


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    w, b = initialize_with_zeros(X_train.shape[0])
    params, grads, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    out = {}
    out["costs"] = costs
    out["Y_prediction_test"] = predict(params["w"], params["b"], X_test)
    out["Y_prediction_train"] = predict(params["w"], params["b"], X_train)
    out["w"] = params["w"]
    out["b"] = params["b"]
    out["learning_rate"] = learning_rate
    out["num_iterations"] = num_iterations
    return out
