import numpy as np


def sigmoid(z):
    z = np.array(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1 / (1 + np.exp(-z[pos]))
    e = np.exp(z[~pos])
    out[~pos] = e / (1 + e)
    return out


def initialize_with_zeros(dim):
    w = np.zeros((dim, 1))
    b = 0.0
    return (w, b)


def propagate(w, b, X, Y):
    m = X.shape[1]
    A = sigmoid(np.dot(w.T, X) + b)
    # probability given to the true label of each example
    p_true = np.where(Y == 1, A, 1 - A)
    with np.errstate(divide="ignore"):
        cost = -np.sum(np.log(p_true)) / m
    dw = np.dot(X, (A - Y).T) / m
    db = np.sum(A - Y) / m
    return {"dw": dw, "db": db}, cost


def optimize(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    w = w.copy()  # I update w in place below, so work on a copy
    costs = []
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b -= learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(cost)
            if print_cost:
                print("Cost after iteration", i, ":", cost)
    return {"w": w, "b": b}, grads, costs


def predict(w, b, X):
    probs = sigmoid(np.dot(w.T, X) + b)
    return np.round(probs)


def model(X_train, Y_train, X_test, Y_test, num_iterations=2000, learning_rate=0.5, print_cost=False):
    dim = X_train.shape[0]
    w, b = initialize_with_zeros(dim)
    parameters, grads, costs = optimize(w, b, X_train, Y_train, num_iterations=num_iterations,
                                        learning_rate=learning_rate, print_cost=print_cost)
    w, b = parameters["w"], parameters["b"]
    d = {}
    d["costs"] = costs
    d["Y_prediction_test"] = predict(w, b, X_test)
    d["Y_prediction_train"] = predict(w, b, X_train)
    d["w"], d["b"] = w, b
    d["learning_rate"] = learning_rate
    d["num_iterations"] = num_iterations
    return d
